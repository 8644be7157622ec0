/**
 * What a 30-day audit costs Prometheus over raw Istio series and over the audit records, in one run on
 * one TSDB: per query, Prometheus's own evaluation time, the samples it read (`stats=all`) and the bytes
 * it answered; then the whole `audit` both ways. Numbers only, as ratios to the raw side.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { stringify } from "yaml";
import { auditQueries } from "../cli/audit-queries";
import { recordCoverage, recordedAuditQueries } from "../cli/audit-source";
import type { EgressAudit } from "../cli/egress-audit";
import { PrometheusClient } from "../cli/prometheus-client";
import { AUDIT_QUERY_NAMES } from "../components/audit-counters";
import { parseEgressConfig } from "../stacks/load-config";
import { serveTsdb, stopPrometheus } from "../test/support/prometheus-server";
import { hasTool, PROMETHEUS, PROMTOOL, runPromtool } from "../test/support/prometheus-tools";
import { runCli } from "../test/support/run-cli";
import { EVALUATION_MS, SCALE, WINDOW_MS, writeAuditSeries } from "./audit-series";
import { syntheticStack } from "./synthetic-stack";

const RUNS = 3;

interface QueryCost {
  readonly ms: number;
  readonly samples: number;
  readonly peakSamples: number;
  readonly bytes: number;
}

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** One instant query with `stats=all`: Prometheus's evaluation time, samples read, bytes answered. */
async function measure(url: string, promql: string, atMs: number): Promise<QueryCost> {
  const body = new URLSearchParams({
    query: promql,
    time: String(atMs / 1000),
    stats: "all",
    timeout: "120s",
  });
  const response = await fetch(`${url}/api/v1/query`, { method: "POST", body });
  const text = await response.text();
  const parsed = JSON.parse(text) as {
    status: string;
    error?: string;
    data: {
      stats: {
        timings: { evalTotalTime: number };
        samples: { totalQueryableSamples: number; peakSamples: number };
      };
    };
  };
  if (parsed.status !== "success") throw new Error(`${parsed.error}: ${promql}`);
  const { timings, samples } = parsed.data.stats;
  return {
    ms: timings.evalTotalTime * 1000,
    samples: samples.totalQueryableSamples,
    peakSamples: samples.peakSamples,
    bytes: text.length,
  };
}

/** Findings without counts: the same rows, classifications and lists either way. */
const findings = (audit: EgressAudit) =>
  JSON.stringify([
    audit.traffic.map((r) => [
      r.tenant,
      r.destination,
      r.declared,
      r.requests > 0,
      r.connections > 0,
      r.bytesOut > 0,
    ]),
    audit.undeclared.map((r) => [r.tenant, r.destination]),
    audit.deniedAttempts.map((d) => [d.tenant, d.destination, d.where]),
    audit.unusedGrants.map((g) => [g.tenant, g.service]),
  ]);

const ratio = (a: number, b: number) => (b === 0 ? "-" : (a / b).toFixed(3));
const n = (value: number) => Math.round(value).toLocaleString("en-US");

export async function auditQueryCost(): Promise<void> {
  const missing = [PROMTOOL, PROMETHEUS].filter((tool) => !hasTool(tool));
  if (missing.length > 0) {
    console.log(
      `audit query cost: SKIPPED, ${missing.join(" and ")} not on PATH (apt-get install prometheus)`,
    );
    return;
  }
  const stack = syntheticStack(100, 90);
  const config = parseEgressConfig(stack, "bench");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-audit-bench-"));
  const endMs = Math.floor((Date.now() - 86_400_000) / EVALUATION_MS) * EVALUATION_MS;
  let server: Awaited<ReturnType<typeof serveTsdb>> | undefined;
  try {
    let clock = performance.now();
    const input = path.join(dir, "series.om");
    const data = writeAuditSeries(config, endMs, input);
    const writeS = (performance.now() - clock) / 1000;
    clock = performance.now();
    const backfill = runPromtool([
      "tsdb",
      "create-blocks-from",
      "openmetrics",
      "--max-block-duration=720h",
      "--quiet",
      input,
      path.join(dir, "data"),
    ]);
    if (backfill.status !== 0) throw new Error(`promtool backfill failed: ${backfill.output}`);
    fs.rmSync(input);
    const backfillS = (performance.now() - clock) / 1000;
    server = await serveTsdb(dir, path.join(dir, "data"), "400d");
    console.log(
      `\naudit query cost: ${data.pairs} tenant × host pairs on 3 gateway replicas, 30-day window, time scaled 1/${SCALE} ` +
        `(a scrape every ${(30 * SCALE) / 60} min, an evaluation every ${SCALE} min; production has ${SCALE}× the samples on both sides)`,
    );
    console.table([
      { series: "raw Istio counters", count: n(data.rawSeries), samples: n(data.rawSamples) },
      {
        series: "audit records (+ heartbeat)",
        count: n(data.recordSeries + 1),
        samples: n(data.recordSamples),
      },
    ]);
    console.log(
      `input ${(data.bytes / 2 ** 20).toFixed(0)} MiB of OpenMetrics written in ${writeS.toFixed(1)} s, backfilled in ${backfillS.toFixed(1)} s`,
    );

    const scope = { gateway: config.gateway, matchers: [] };
    const raw = auditQueries(scope, "30d");
    const recorded = recordedAuditQueries(scope, WINDOW_MS);
    const costs = new Map<string, { raw: QueryCost[]; recorded: QueryCost[] }>(
      AUDIT_QUERY_NAMES.map((name) => [name, { raw: [], recorded: [] }]),
    );
    // One unmeasured pass loads the blocks into the page cache; then raw and recorded alternate.
    for (const name of AUDIT_QUERY_NAMES) await measure(server.url, raw[name], endMs);
    for (let run = 0; run < RUNS; run++)
      for (const name of AUDIT_QUERY_NAMES) {
        costs.get(name)!.raw.push(await measure(server.url, raw[name], endMs));
        costs.get(name)!.recorded.push(await measure(server.url, recorded[name], endMs));
      }
    const rows = AUDIT_QUERY_NAMES.map((name) => {
      const c = costs.get(name)!;
      const r = {
        ms: median(c.raw.map((x) => x.ms)),
        samples: c.raw[0].samples,
        bytes: c.raw[0].bytes,
        peak: c.raw[0].peakSamples,
      };
      const d = {
        ms: median(c.recorded.map((x) => x.ms)),
        samples: c.recorded[0].samples,
        bytes: c.recorded[0].bytes,
      };
      return { name, r, d };
    });
    const total = (pick: (row: (typeof rows)[number]) => number) =>
      rows.reduce((sum, row) => sum + pick(row), 0);
    console.log(
      `Prometheus evaluation (median of ${RUNS}), samples read and bytes answered per audit query, raw = 1:`,
    );
    console.table([
      ...rows.map(({ name, r, d }) => ({
        query: name,
        "raw ms": r.ms.toFixed(1),
        "recorded ms": d.ms.toFixed(1),
        "time ratio": ratio(d.ms, r.ms),
        "raw samples": n(r.samples),
        "recorded samples": n(d.samples),
        "samples ratio": ratio(d.samples, r.samples),
        "raw bytes": n(r.bytes),
        "recorded bytes": n(d.bytes),
      })),
      {
        query: "all 8",
        "raw ms": total((x) => x.r.ms).toFixed(1),
        "recorded ms": total((x) => x.d.ms).toFixed(1),
        "time ratio": ratio(
          total((x) => x.d.ms),
          total((x) => x.r.ms),
        ),
        "raw samples": n(total((x) => x.r.samples)),
        "recorded samples": n(total((x) => x.d.samples)),
        "samples ratio": ratio(
          total((x) => x.d.samples),
          total((x) => x.r.samples),
        ),
        "raw bytes": n(total((x) => x.r.bytes)),
        "recorded bytes": n(total((x) => x.d.bytes)),
      },
    ]);
    const rawS = total((x) => x.r.ms) / 1000;
    const recordedS = total((x) => x.d.ms) / 1000;
    console.log(
      `at production scale (${SCALE}× the samples), if time grows with samples read (an extrapolation, not measured): ` +
        `raw ≈ ${(rawS * SCALE).toFixed(0)} s of evaluation for the 8 queries, the slowest ≈ ` +
        `${((Math.max(...rows.map((x) => x.r.ms)) * SCALE) / 1000).toFixed(0)} s (audit's default --timeout is 30s); ` +
        `recorded ≈ ${(recordedS * SCALE).toFixed(1)} s. Peak samples held at once by one query: raw ${n(Math.max(...rows.map((x) => x.r.peak)))}.`,
    );
    const client = new PrometheusClient({ url: server.url, timeoutMs: 120_000 });
    clock = performance.now();
    const coverage = await recordCoverage(client, scope, endMs - WINDOW_MS, endMs);
    console.log(
      `probe (is the window covered?): ${(performance.now() - clock).toFixed(0)} ms wall, ` +
        `${coverage.evaluations} of ${coverage.expected} evaluations, from the start: ${coverage.fromStart}`,
    );

    // The whole command, both ways: probe, queries, classification.
    const stackFile = path.join(dir, "Pulumi.bench.yaml");
    fs.writeFileSync(
      stackFile,
      stringify({
        config: Object.fromEntries(Object.entries(stack).map(([k, v]) => [`mesh-egress:${k}`, v])),
      }),
    );
    const audit = async (source: string) => {
      const start = performance.now();
      const run = await runCli([
        "audit",
        "--stack-file",
        stackFile,
        "--prometheus",
        server!.url,
        "--since",
        "30d",
        "--now",
        new Date(endMs).toISOString(),
        "--timeout",
        "120s",
        "--format",
        "json",
        "--source",
        source,
      ]);
      if (!run.stdout.startsWith("{")) throw new Error(`audit --source ${source} failed: ${run.stderr}`);
      return { ms: performance.now() - start, report: JSON.parse(run.stdout) as EgressAudit };
    };
    const runs: Record<string, { ms: number; report: EgressAudit }[]> = { raw: [], auto: [] };
    for (let run = 0; run < RUNS; run++)
      for (const source of ["raw", "auto"]) runs[source].push(await audit(source));
    const rawMs = median(runs.raw.map((r) => r.ms));
    const autoMs = median(runs.auto.map((r) => r.ms));
    console.log(`mesh-egress audit --since 30d, whole command (median of ${RUNS} wall times, in process):`);
    console.table([
      {
        source: "--source raw",
        "read from": runs.raw[0].report.readFrom.series,
        ms: rawMs.toFixed(0),
        ratio: "1.000",
      },
      {
        source: "--source auto",
        "read from": runs.auto[0].report.readFrom.series,
        ms: autoMs.toFixed(0),
        ratio: ratio(autoMs, rawMs),
      },
    ]);
    console.log(
      `same findings both ways (rows, classifications, denied attempts, unused grants): ${findings(runs.raw[0].report) === findings(runs.auto[0].report) ? "yes" : "NO"}`,
    );
  } finally {
    await stopPrometheus(server);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
