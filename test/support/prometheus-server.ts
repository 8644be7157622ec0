import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { PROMETHEUS, runPromtool } from "./prometheus-tools";

/** One series to backfill: its name, labels and (time, value) samples in ascending time. */
export interface BackfillSeries {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly samples: readonly (readonly [Date, number])[];
}

const escapeLabel = (value: string) =>
  value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

/** A series as OpenMetrics writes it: `name{k="v",…}`, label values escaped. */
export function openMetricsSeries(name: string, labels: Readonly<Record<string, string>>): string {
  const text = Object.entries(labels)
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(",");
  return `${name}{${text}}`;
}

/** OpenMetrics text (timestamps in seconds, `# EOF` last) for `promtool tsdb create-blocks-from openmetrics`. */
export function openMetricsText(series: readonly BackfillSeries[]): string {
  const lines: string[] = [];
  const byName = new Map<string, BackfillSeries[]>();
  for (const s of series) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  for (const [name, members] of byName) {
    // "unknown" lets any sample name through; the type does not matter to PromQL.
    lines.push(`# TYPE ${name} unknown`);
    for (const s of members) {
      const series = openMetricsSeries(name, s.labels);
      for (const [time, value] of s.samples) lines.push(`${series} ${value} ${time.getTime() / 1000}`);
    }
  }
  lines.push("# EOF");
  return `${lines.join("\n")}\n`;
}

/** A port nobody listens on right now, on 127.0.0.1. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningPrometheus {
  readonly url: string;
  readonly pid: number;
  readonly process: ChildProcess;
  readonly dir: string;
}

async function waitUntilReady(url: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(
        `prometheus exited with ${child.exitCode}: ${fs.readFileSync(logFile, "utf8").slice(-2000)}`,
      );
    }
    try {
      const response = await fetch(`${url}/-/ready`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `prometheus at ${url} was not ready within 60s: ${fs.readFileSync(logFile, "utf8").slice(-2000)}`,
  );
}

/**
 * Blocks of recording rules evaluated by promtool over [start, end] against the Prometheus at `url`
 * (`promtool tsdb create-blocks-from rules`, through its query API), written under `outputDir`.
 */
export function backfillRecordingRules(
  url: string,
  groups: readonly unknown[],
  start: Date,
  end: Date,
  outputDir: string,
): void {
  fs.mkdirSync(outputDir, { recursive: true });
  const ruleFile = path.join(outputDir, "..", `${path.basename(outputDir)}-rules.yaml`);
  fs.writeFileSync(ruleFile, stringify({ groups }, { lineWidth: 0 }));
  const result = runPromtool([
    "tsdb",
    "create-blocks-from",
    "rules",
    `--url=${url}`,
    `--start=${start.toISOString()}`,
    `--end=${end.toISOString()}`,
    `--output-dir=${outputDir}`,
    "--quiet",
    ruleFile,
  ]);
  if (result.status !== 0) throw new Error(`promtool create-blocks-from rules failed: ${result.output}`);
}

/**
 * A real Prometheus on a free 127.0.0.1 port, serving a TSDB backfilled from `series` with promtool, plus
 * the blocks under each of `extraBlocks` (recorded by `backfillRecordingRules`). No scrape targets: it
 * serves only what was backfilled. Stop it with `stopPrometheus`, in `after`.
 */
export async function startPrometheus(
  series: readonly BackfillSeries[],
  extraBlocks: readonly string[] = [],
): Promise<RunningPrometheus> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-prometheus-"));
  const input = path.join(dir, "series.om");
  const data = path.join(dir, "data");
  fs.writeFileSync(input, openMetricsText(series));
  const backfill = runPromtool(["tsdb", "create-blocks-from", "openmetrics", input, data]);
  if (backfill.status !== 0) throw new Error(`promtool backfill failed: ${backfill.output}`);
  for (const blocks of extraBlocks) fs.cpSync(blocks, data, { recursive: true });
  return serveTsdb(dir, data);
}

/**
 * A real Prometheus on a free 127.0.0.1 port serving the TSDB at `data`, with no scrape targets; its
 * config and log go to `dir`, which `stopPrometheus` removes. `retention` must reach the oldest block.
 */
export async function serveTsdb(dir: string, data: string, retention = "15d"): Promise<RunningPrometheus> {
  fs.writeFileSync(path.join(dir, "prometheus.yml"), "global:\n  scrape_interval: 1m\nscrape_configs: []\n");
  const port = await freeLoopbackPort();
  const logFile = path.join(dir, "prometheus.log");
  const log = fs.openSync(logFile, "w");
  const child = spawn(
    PROMETHEUS,
    [
      `--config.file=${path.join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${data}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--storage.tsdb.retention.time=${retention}`,
      "--log.level=warn",
    ],
    { stdio: ["ignore", log, log] },
  );
  fs.closeSync(log);
  const url = `http://127.0.0.1:${port}`;
  const running = { url, pid: child.pid as number, process: child, dir };
  try {
    await waitUntilReady(url, child, logFile);
  } catch (err) {
    await stopPrometheus(running);
    throw err;
  }
  return running;
}

/** Kills the server by its PID, waits for it to exit, and removes its TSDB. */
export async function stopPrometheus(server: RunningPrometheus | undefined): Promise<void> {
  if (!server) return;
  if (server.process.exitCode === null && server.process.signalCode === null) {
    const exited = new Promise((resolve) => server.process.once("exit", resolve));
    process.kill(server.pid, "SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (server.process.exitCode === null && server.process.signalCode === null)
      process.kill(server.pid, "SIGKILL");
  }
  fs.rmSync(server.dir, { recursive: true, force: true });
}
