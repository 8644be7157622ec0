/**
 * `mesh-egress discover` over large access logs: 250k to 1M lines of Istio's default TEXT format (with
 * health checks, in-cluster calls, IP-only and malformed lines mixed in), each size in its own process so
 * its peak RSS is its own. The baseline is the same file read line by line and counted, in the same
 * process: the ratio is what parsing and aggregating cost on top of reading. Numbers only; nothing asserts.
 * Run: npm run bench (or: node --expose-gc -r ts-node/register/transpile-only bench/discover-bench.ts)
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as readline from "readline";
import { performance } from "perf_hooks";
import { Readable } from "stream";
import { runDiscover } from "../cli/discover-command";

const SIZES = [250_000, 500_000, 1_000_000];

/** One line in Istio's EnvoyTextLogFormat; one in ten is noise of each kind the command leaves out. */
function line(i: number): string {
  const time = new Date(Date.parse("2026-11-29T00:00:00Z") + i * 50).toISOString();
  const tcp = (dst: string, sni: string) =>
    `[${time}] "- - -" 0 - - - "-" 1543 6121 2011 - "-" "-" "-" "-" "${dst}" PassthroughCluster 10.1.2.3:40112 ${dst} 10.1.2.3:40110 ${sni} -`;
  switch (i % 10) {
    case 0:
      return `[${time}] "GET /healthz HTTP/1.1" 200 - via_upstream - "-" 0 2 1 0 "-" "kube-probe/1.32" "r${i}" "10.1.2.3:15021" "10.1.2.3:8080" inbound|8080|| 127.0.0.6:43211 10.1.2.3:8080 10.1.0.1:51234 - default`;
    case 1:
      return `[${time}] "POST /orders HTTP/1.1" 201 - via_upstream - "-" 312 88 12 11 "-" "Go-http-client/1.1" "r${i}" "orders.shop.svc.cluster.local:8080" "10.1.9.9:8080" outbound|8080||orders.shop.svc.cluster.local 10.1.2.3:41000 10.96.4.4:8080 10.1.2.3:40998 - default`;
    case 2:
      return tcp(`203.0.113.${i % 250}:443`, "-");
    case 3:
      return `[${time}] "GET /v1/ra`;
    case 4:
      return `[${time}] "GET /v1/rates HTTP/1.1" 200 - via_upstream - "-" 0 734 45 44 "-" "python-requests/2.31.0" "r${i}" "rates${i % 5}.example.org" "93.184.216.34:80" PassthroughCluster 10.1.2.3:52100 93.184.216.34:80 10.1.2.3:52098 - allow_any`;
    default:
      return tcp("52.1.2.3:443", `api.partner${i % 40}.example.com`);
  }
}

function writeLog(count: number): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-discover-bench-")), "proxy.log");
  const fd = fs.openSync(file, "w");
  // In batches: one write per line would make the bench measure syscalls.
  for (let from = 0; from < count; from += 10_000) {
    const batch: string[] = [];
    for (let i = from; i < Math.min(count, from + 10_000); i++) batch.push(line(i));
    fs.writeSync(fd, `${batch.join("\n")}\n`);
  }
  fs.closeSync(fd);
  return file;
}

async function readOnly(file: string): Promise<number> {
  let lines = 0;
  for await (const text of readline.createInterface({
    input: fs.createReadStream(file),
    crlfDelay: Infinity,
  })) {
    if (text.length >= 0) lines++;
  }
  return lines;
}

/** One size, in this (child) process: baseline, then discover; one JSON line out. */
async function child(count: number): Promise<void> {
  const file = writeLog(count);
  global.gc?.();
  let start = performance.now();
  const read = await readOnly(file);
  const baseline = (performance.now() - start) / 1000;
  global.gc?.();
  start = performance.now();
  let stdout = "";
  let stderr = "";
  const code = await runDiscover(
    { inputs: [`shop=${file}`], since: "3650d", now: "2026-12-01T00:00:00Z", clusterDomain: "cluster.local" },
    {
      stdin: Readable.from([""]),
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t) },
    },
  );
  const seconds = (performance.now() - start) / 1000;
  const inputMiB = fs.statSync(file).size / 2 ** 20;
  fs.rmSync(path.dirname(file), { recursive: true });
  console.log(
    JSON.stringify({
      count,
      read,
      exitCode: code,
      services: /(\d+) service\(s\) proposed/.exec(stderr)?.[1],
      malformed: /(\d+) malformed/.exec(stderr)?.[1],
      outputBytes: stdout.length,
      inputMiB,
      baseline,
      seconds,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
    }),
  );
}

function parent(): void {
  const rows: Record<string, unknown>[] = [];
  for (const count of SIZES) {
    const out = execFileSync(
      process.execPath,
      ["--expose-gc", "-r", "ts-node/register/transpile-only", __filename, String(count)],
      { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
    );
    const row = JSON.parse(out.trim().split("\n").at(-1) as string) as Record<string, number>;
    rows.push({
      lines: Number(row.count).toLocaleString("en"),
      "input MiB": row.inputMiB.toFixed(0),
      "read only s": row.baseline.toFixed(2),
      "discover s": row.seconds.toFixed(2),
      "discover / read": (row.seconds / row.baseline).toFixed(1),
      "lines/s": Math.round(row.count / row.seconds).toLocaleString("en"),
      "peak RSS MiB": row.peakRssMiB.toFixed(0),
      services: row.services,
      malformed: row.malformed,
    });
  }
  console.log(
    "discover over access logs (each size in its own process; read only = the same file, readline, counted)",
  );
  console.table(rows);
}

const [count] = process.argv.slice(2);
if (count) void child(Number(count));
else parent();
