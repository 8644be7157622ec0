import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { EgressAudit } from "../cli/egress-audit";
import { describeWithPrometheusTools } from "./support/prometheus-tools";
import { BREAK_GLASS, NOW, SERIES } from "./support/audit-wild-data-set";
import { RunningPrometheus, startPrometheus, stopPrometheus } from "./support/prometheus-server";
import { RunningProxy, startPrometheusProxy } from "./support/prometheus-proxy";
import { runCli } from "./support/run-cli";
import { PROJECT_DIR } from "./support/stacks";

describeWithPrometheusTools("mesh-egress audit on data it did not make (backfilled Istio series)", () => {
  let prometheus: RunningPrometheus | undefined;
  const proxies: RunningProxy[] = [];
  let dir: string;
  let stackFile: string;

  before(async function () {
    this.timeout(120_000);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-audit-wild-"));
    stackFile = path.join(dir, "Pulumi.dev.yaml");
    fs.writeFileSync(
      stackFile,
      fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), "utf8").trimEnd() + "\n" + BREAK_GLASS,
    );
    prometheus = await startPrometheus(SERIES);
  });
  after(async () => {
    for (const proxy of proxies) await proxy.close();
    await stopPrometheus(prometheus);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function audit(url: string, ...extra: string[]) {
    const args = ["audit", "--stack-file", stackFile, "--prometheus", url, "--since", "4h", "--now", NOW];
    const run = await runCli([...args, "--timeout", "20s", "--format", "json", ...extra]);
    return { ...run, report: run.stdout ? (JSON.parse(run.stdout) as EgressAudit) : undefined };
  }
  const thisCluster = () => audit(prometheus!.url, "--cluster", "cluster=dev-eu");
  const row = (report: EgressAudit | undefined, tenant: string, destination: string) =>
    report?.traffic.filter((r) => r.tenant === tenant && r.destination === destination) ?? [];

  it("counts a one-off request through PassthroughCluster as undeclared egress and names its host", async () => {
    const { report } = await thisCluster();
    const bypass = report?.undeclared.find(
      (r) => r.tenant === "storefront" && /PassthroughCluster/.test(r.destination),
    );
    assert.deepEqual(
      [bypass?.destination, bypass?.requests],
      ["PassthroughCluster (host: paste.example.net)", 1],
    );
  });

  it("sees a batch job whose counter appeared once and never rose, so its grant is in use", async () => {
    const { report } = await thisCluster();
    assert.deepEqual(
      row(report, "settlement", "rates.fx-legacy.com").map((r) => [r.declared, r.requests]),
      [[true, 40]],
    );
    assert.ok(
      !report?.unusedGrants.some((g) => g.service === "legacy-fx-rates"),
      "legacy-fx-rates reads unused",
    );
  });

  it("lists a single 403 as a denied attempt, worded as what the metrics can tell", async () => {
    const { report } = await thisCluster();
    const denied = report?.deniedAttempts.filter(
      (d) => d.tenant === "storefront" && d.destination === "api.openai.com",
    );
    assert.deepEqual(
      denied?.map((d) => [d.attempts, d.where]),
      [[1, "HTTP 403 at the gateway (its AuthorizationPolicy or the remote server: metrics do not tell)"]],
    );
  });

  it("calls the gateway's own replies and refused TLS connections denied attempts, not undeclared egress", async () => {
    const { report } = await thisCluster();
    assert.deepEqual(
      report?.undeclared.filter((r) => r.destination === "unknown"),
      [],
      "refused traffic listed as undeclared egress",
    );
    const refused = report?.deniedAttempts.filter((d) => d.destination === "(no service matched)");
    assert.deepEqual(
      refused?.map((d) => [d.tenant, d.where]),
      [
        ["payments", "the gateway's own reply, no upstream reached (response_flags NR)"],
        ["storefront", "the gateway refused the connection, no upstream reached (response_flags NR)"],
      ],
    );
  });

  it("counts no bytes out for requests that never reached an upstream", async () => {
    const { report, stderr } = await audit(prometheus!.url);
    assert.ok(report, stderr);
    const bytes = (tenant: string, destination: string) =>
      row(report, tenant, destination).reduce((sum, r) => sum + r.bytesOut, 0);
    assert.deepEqual(
      [bytes("assistant", "api.openai.com"), bytes("payments", "unknown"), bytes("storefront", "unknown")],
      [0, 0, 0],
    );
  });

  it("classifies break-glass traffic by the grant in force when it flowed, and what flowed after its expiry as undeclared", async () => {
    const { report } = await thisCluster();
    const rows = row(report, "storefront", "api.openai.com").filter((r) => r.requests > 0);
    assert.deepEqual(
      rows.map((r) => [r.declared, r.breakGlass ?? `outside ${r.outsideBreakGlass}`]),
      [
        [true, "openai-for-storefront"],
        [false, "outside openai-for-storefront"],
      ],
    );
    // 3 requests a minute: 50 minutes in force, 60 after the expiry.
    const [inForce, after] = rows.map((r) => r.requests);
    assert.ok(
      Math.abs(inForce - 150) <= 6 && Math.abs(after - 180) <= 6,
      `${inForce} in force, ${after} after`,
    );
    assert.ok(
      report?.undeclared.some((r) => r.tenant === "storefront" && r.destination === "api.openai.com"),
    );
  });

  it("classifies traffic to an expired destination grant's unregistered host as break-glass while it was in force", async () => {
    const { report } = await thisCluster();
    assert.deepEqual(
      row(report, "assistant", "status.vendor.example").map((r) => [
        r.service,
        r.declared,
        r.breakGlass ?? `outside ${r.outsideBreakGlass}`,
      ]),
      [
        ["break-glass-vendor-status", true, "vendor-status"],
        ["break-glass-vendor-status", false, "outside vendor-status"],
      ],
    );
  });

  it("exits 1 with exactly the undeclared egress of this cluster when --cluster scopes a shared Prometheus", async () => {
    const scoped = await thisCluster();
    assert.equal(scoped.status, 1, scoped.stderr);
    assert.deepEqual(
      scoped.report?.undeclared.map((r) => `${r.tenant} ${r.destination}`),
      [
        "assistant status.vendor.example",
        "storefront api.openai.com",
        "storefront PassthroughCluster (host: paste.example.net)",
      ],
    );
    const all = await audit(prometheus!.url);
    assert.ok(all.report?.undeclared.some((r) => r.destination === "exfil.example.org"));
  });

  it("exits 2 and says the data is partial when Prometheus answers with warnings", async () => {
    const partial = await startPrometheusProxy(prometheus!.url, {
      warnings: ["store 10.0.3.7:10901 unavailable: partial response"],
    });
    proxies.push(partial);
    const run = await audit(partial.url, "--cluster", "cluster=dev-eu");
    assert.equal(run.status, 2);
    assert.match(
      run.stderr,
      /answered with warnings, so the data is partial .*store 10\.0\.3\.7:10901 unavailable/,
    );
    assert.deepEqual(run.report?.warnings, ["store 10.0.3.7:10901 unavailable: partial response"]);
  });

  it("sends --bearer-token-file and --header to a Prometheus behind a path prefix", async () => {
    const guarded = await startPrometheusProxy(prometheus!.url, {
      pathPrefix: "/prometheus",
      requiredHeaders: { authorization: "Bearer s3cret", "x-scope-orgid": "platform" },
    });
    proxies.push(guarded);
    const tokenFile = path.join(dir, "token");
    fs.writeFileSync(tokenFile, "s3cret\n");
    const run = await audit(
      guarded.url,
      "--cluster",
      "cluster=dev-eu",
      "--bearer-token-file",
      tokenFile,
      "--header",
      "X-Scope-OrgID: platform",
    );
    assert.equal(run.status, 1, run.stderr);
    const denied = await audit(guarded.url);
    assert.equal(denied.status, 2);
    assert.match(denied.stderr, new RegExp(`${guarded.url}/api/v1/query answered HTTP 401`));
  });
});
