import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { EgressAudit } from "../cli/egress-audit";
import { PrometheusClient } from "../cli/prometheus-client";
import { AUDIT_COUNTERS, auditCounterExpr } from "../components/audit-counters";
import { auditRecordGroup, AUDIT_RECORDS } from "../components/audit-records";
import { FORWARDED } from "../components/egress-metrics";
import type { PrometheusRuleGroup } from "../components/observability";
import { BREAK_GLASS, NOW, SERIES } from "./support/audit-wild-data-set";
import {
  backfillRecordingRules,
  RunningPrometheus,
  startPrometheus,
  stopPrometheus,
} from "./support/prometheus-server";
import { RunningProxy, startPrometheusProxy } from "./support/prometheus-proxy";
import { describeWithPrometheusTools } from "./support/prometheus-tools";
import { runCli } from "./support/run-cli";
import { PROJECT_DIR, projectStack } from "./support/stacks";

const MINUTE = 60_000;
/** The records start 4h05m before --now: a 4h window is covered, a 5h one is not. */
const RECORDS_FROM = new Date(Date.parse(NOW) - 245 * MINUTE);

/** The records as the dev stack renders them. */
const GROUP = auditRecordGroup(projectStack("dev").gateway);

/**
 * The records with the two defects a long-window audit must not have: bytes of refused traffic counted
 * as egress, and counters read with increase(), which loses one that appears once and never rises.
 */
function defectiveGroup(): PrometheusRuleGroup {
  const gateway = projectStack("dev").gateway;
  const asIncrease = (name: "requests" | "unregisteredRequests") =>
    `${auditCounterExpr(AUDIT_COUNTERS[name], gateway, [], (s) => `increase(${s}[1m])`)} > 0`;
  return {
    ...GROUP,
    rules: GROUP.rules.map((rule) => {
      if (!("record" in rule)) return rule;
      if (rule.record === AUDIT_RECORDS.egressBytes)
        return { ...rule, expr: rule.expr.split(`, ${FORWARDED}`).join("") };
      if (rule.record === AUDIT_RECORDS.requests) return { ...rule, expr: asIncrease("requests") };
      if (rule.record === AUDIT_RECORDS.unregisteredRequests)
        return { ...rule, expr: asIncrease("unregisteredRequests") };
      return rule;
    }),
  };
}

/**
 * What an audit found, counts aside: each traffic row with its classification and which columns moved,
 * the undeclared rows, the denied attempts and the unused grants. Counts are compared apart, with a margin.
 */
function findings(report: EgressAudit) {
  const row = (r: EgressAudit["traffic"][number]) =>
    [
      r.tenant,
      r.destination,
      r.service ?? "-",
      r.breakGlass ? `break-glass ${r.breakGlass}` : r.declared ? "declared" : "undeclared",
      r.outsideBreakGlass ?? "-",
      ...(["requests", "connections", "bytesOut", "denials"] as const).map((c) => (r[c] > 0 ? c : "-")),
    ].join(" ");
  return {
    traffic: report.traffic.map(row),
    undeclared: report.undeclared.map(row),
    deniedAttempts: report.deniedAttempts.map((d) => `${d.tenant} ${d.destination} ${d.where}`),
    unusedGrants: report.unusedGrants.map((g) => `${g.tenant} ${g.service}`),
    unattributableGrants: report.unattributableGrants.map((g) => `${g.tenant} ${g.service}`),
  };
}

/** The traffic columns and the record each is read from. */
const COLUMNS = [
  ["requests", "requests"],
  ["connections", "connections"],
  ["bytesOut", "egressBytes"],
  ["denials", "denials"],
] as const;

describeWithPrometheusTools(
  "mesh-egress audit over its recording rules (blocks recorded by promtool from backfilled Istio series)",
  () => {
    let recorded: RunningPrometheus | undefined;
    let defective: RunningPrometheus | undefined;
    const proxies: RunningProxy[] = [];
    let dir: string;
    let stackFile: string;

    before(async function () {
      this.timeout(180_000);
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-audit-recorded-"));
      stackFile = path.join(dir, "Pulumi.dev.yaml");
      fs.writeFileSync(
        stackFile,
        fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), "utf8").trimEnd() + "\n" + BREAK_GLASS,
      );
      // Prometheus evaluates the rules over the raw data through its API, as a rule backfill does.
      const raw = await startPrometheus(SERIES);
      try {
        backfillRecordingRules(raw.url, [GROUP], RECORDS_FROM, new Date(NOW), path.join(dir, "records"));
        backfillRecordingRules(
          raw.url,
          [defectiveGroup()],
          RECORDS_FROM,
          new Date(NOW),
          path.join(dir, "defective"),
        );
      } finally {
        await stopPrometheus(raw);
      }
      recorded = await startPrometheus(SERIES, [path.join(dir, "records")]);
      defective = await startPrometheus(SERIES, [path.join(dir, "defective")]);
    });
    after(async () => {
      for (const proxy of proxies) await proxy.close();
      await stopPrometheus(recorded);
      await stopPrometheus(defective);
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    async function audit(url: string, ...extra: string[]) {
      const args = [
        "audit",
        "--stack-file",
        stackFile,
        "--prometheus",
        url,
        "--now",
        NOW,
        "--timeout",
        "20s",
      ];
      const run = await runCli([...args, ...extra]);
      return {
        ...run,
        report: run.stdout.startsWith("{") ? (JSON.parse(run.stdout) as EgressAudit) : undefined,
      };
    }
    const json = (url: string, ...extra: string[]) =>
      audit(url, "--format", "json", "--since", "4h", ...extra);

    it("reads the audit records when they cover the window, and says so in JSON and text", async () => {
      const run = await json(recorded!.url);
      assert.equal(run.status, 1, run.stderr);
      assert.equal(run.report?.readFrom.series, "recorded");
      assert.match(
        run.report!.readFrom.reason,
        /^they cover the window \(rules evaluated in 240 of the window's 240 minutes \(mesh_egress:audit_records:evaluated\)\)$/,
      );
      const text = await audit(recorded!.url, "--since", "4h");
      assert.match(
        text.stdout,
        /\nRead from\n-+\n- the audit records \(mesh_egress:\*:increment1m\): they cover the window/,
      );
    });

    it("finds over the records exactly what it finds over the raw series: one-off, refused, bytes, break-glass", async () => {
      const raw = await json(recorded!.url, "--source", "raw");
      const fromRecords = await json(recorded!.url, "--source", "recorded");
      assert.equal(raw.report?.readFrom.series, "raw");
      assert.equal(fromRecords.report?.readFrom.series, "recorded");
      assert.deepEqual(findings(fromRecords.report!), findings(raw.report!));
      assert.deepEqual([fromRecords.status, fromRecords.stderr], [raw.status, raw.stderr]);
      // The cases, as the raw audit finds them (test/audit-wild-data.test.ts), now over the records.
      const f = findings(fromRecords.report!);
      assert.ok(
        f.undeclared.includes(
          "storefront PassthroughCluster (host: paste.example.net) - undeclared - requests - - -",
        ),
      );
      assert.ok(
        f.traffic.includes("settlement rates.fx-legacy.com legacy-fx-rates declared - requests - - -"),
      );
      assert.ok(
        !f.traffic.some((r) => r.startsWith("assistant api.openai.com")),
        "a UF reply's bytes count as egress",
      );
      assert.ok(
        f.traffic.includes(
          "storefront api.openai.com openai break-glass openai-for-storefront - requests - bytesOut -",
        ),
      );
      assert.ok(
        f.undeclared.includes(
          "storefront api.openai.com openai undeclared openai-for-storefront requests - bytesOut denials",
        ),
      );
      // Counts: the records place each minute's increment in the stretch its evaluation falls in, so at a
      // break-glass cut up to one minute of a flow lands on the other side; the raw queries' increase()
      // extrapolates to each stretch's edges. Each count is within two minutes' increments of the other.
      const client = new PrometheusClient({ url: recorded!.url, timeoutMs: 20_000 });
      for (const [i, row] of raw.report!.traffic.entries()) {
        for (const [column, name] of COLUMNS) {
          const [minute] = await client.query(
            `max_over_time(${AUDIT_RECORDS[name]}{tenant="${row.tenant}", destination_service_name="${row.destination}"}[4h])`,
            new Date(NOW),
          );
          const other = fromRecords.report!.traffic[i][column];
          assert.ok(
            Math.abs(other - row[column]) <= 2 * (minute?.value ?? 0),
            `${row.tenant} → ${row.destination} ${column}: raw ${row[column]}, recorded ${other}, one minute ${minute?.value}`,
          );
        }
      }
      // Denied attempts are summed over the stretches: only the extrapolation differs.
      for (const [i, denied] of raw.report!.deniedAttempts.entries()) {
        const other = fromRecords.report!.deniedAttempts[i].attempts;
        assert.ok(
          Math.abs(other - denied.attempts) <= Math.max(2, denied.attempts * 0.01),
          `${denied.destination}`,
        );
      }
    });

    it("sees a record that counts refused bytes or loses a one-off series: the comparison can fail", async () => {
      const raw = findings((await json(defective!.url, "--source", "raw")).report!);
      const flawed = findings((await json(defective!.url, "--source", "recorded")).report!);
      assert.notDeepEqual(flawed, raw);
      assert.ok(
        !flawed.undeclared.some((r) => r.includes("paste.example.net")),
        "the one-off bypass is lost",
      );
      assert.ok(
        !flawed.traffic.some((r) => r.startsWith("settlement rates.fx-legacy.com")),
        "the batch is lost",
      );
      assert.ok(
        flawed.traffic.some((r) => r.startsWith("payments unknown")),
        "local replies' bytes are egress",
      );
    });

    it("reads raw series when the records start after the window does, and says why", async () => {
      const run = await json(recorded!.url, "--since", "5h");
      assert.equal(run.report?.readFrom.series, "raw");
      assert.match(
        run.report!.readFrom.reason,
        /^the audit records do not cover the window \(rules evaluated in 245 of the window's 300 minutes, not from its start \(mesh_egress:audit_records:evaluated\)\)$/,
      );
      const covered = await json(recorded!.url);
      assert.deepEqual(findings(run.report!), findings(covered.report!));
    });

    it("prints the report and exits 2 when --source recorded is forced over a window the records do not cover", async () => {
      const run = await json(recorded!.url, "--since", "5h", "--source", "recorded");
      assert.equal(run.status, 2);
      assert.equal(run.report?.readFrom.series, "recorded");
      assert.equal(run.report?.readFrom.incomplete, true);
      assert.match(
        run.stderr,
        /the audit records do not cover the window .* \(exit 2\): leave out --source recorded/,
      );
    });

    it("reads raw series for a --cluster the records do not carry, and refuses --source recorded there", async () => {
      const auto = await json(recorded!.url, "--cluster", "cluster=dev-eu");
      assert.equal(auto.status, 1, auto.stderr);
      assert.deepEqual(auto.report?.readFrom, {
        series: "raw",
        reason: 'no mesh_egress:audit_records:evaluated{version="1"} with cluster="dev-eu" in the window',
      });
      const forced = await json(recorded!.url, "--cluster", "cluster=dev-eu", "--source", "recorded");
      assert.equal(forced.status, 2);
      assert.equal(forced.stdout, "");
      assert.match(
        forced.stderr,
        /--source recorded: no mesh_egress:audit_records:evaluated.*Use --source raw\./,
      );
    });

    it("exits 2 on a partial answer whichever series it reads", async () => {
      const partial = await startPrometheusProxy(recorded!.url, {
        warnings: ["store 10.0.3.7:10901 unavailable: partial response"],
      });
      proxies.push(partial);
      for (const source of ["raw", "recorded"]) {
        const run = await json(partial.url, "--source", source);
        assert.equal(run.status, 2, source);
        assert.equal(run.report?.readFrom.series, source);
        assert.match(run.stderr, /answered with warnings, so the data is partial/);
      }
    });
  },
);
