/**
 * `mesh-egress lint` over very large inputs: time and memory for 125k to 1M objects, each size in its
 * own process so peak RSS is that size's alone. Memory should grow linearly: bytes per object stay flat.
 * Inputs: one `kind: List` JSON file (what `kubectl get -o json` prints for a cluster) and, smaller,
 * multi-document YAML. Numbers only; nothing here asserts.
 * Run: npm run bench (or: node -r ts-node/register/transpile-only bench/lint-input-bench.ts)
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { Readable } from "stream";
import { runLint } from "../cli/lint-command";

const SIZES = { json: [125_000, 250_000, 500_000, 1_000_000], yaml: [25_000, 50_000, 100_000] } as const;
type Format = keyof typeof SIZES;

/** A tenant-like object: a ConfigMap in one of a thousand namespaces. */
const object = (i: number) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: `cm-${i}`, namespace: `tenant-${i % 1000}`, labels: { app: `app-${i % 97}` } },
  data: { key: `value-${i}` },
});

function writeInput(format: Format, count: number): string {
  const file = path.join(
    fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-lint-bench-")),
    `input.${format}`,
  );
  const fd = fs.openSync(file, "w");
  const text = (o: ReturnType<typeof object>, i: number) =>
    format === "json"
      ? `${i ? "," : ""}${JSON.stringify(o)}`
      : `---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${o.metadata.name}\n  namespace: ${o.metadata.namespace}\n  labels:\n    app: ${o.metadata.labels.app}\ndata:\n  key: ${o.data.key}\n`;
  if (format === "json") fs.writeSync(fd, '{"apiVersion":"v1","kind":"List","items":[');
  // In batches: one write per object would make the bench measure syscalls.
  for (let from = 0; from < count; from += 10_000) {
    const batch: string[] = [];
    for (let i = from; i < Math.min(count, from + 10_000); i++) batch.push(text(object(i), i));
    fs.writeSync(fd, batch.join(""));
  }
  if (format === "json") fs.writeSync(fd, "]}\n");
  fs.closeSync(fd);
  return file;
}

/** One size, in this (child) process: lint the file, print one JSON line. */
async function child(format: Format, count: number): Promise<void> {
  const file = writeInput(format, count);
  const bytes = fs.statSync(file).size;
  global.gc?.();
  const start = performance.now();
  let stdout = "";
  const code = await runLint(
    { inputs: [file], environment: "prod", format: "text" },
    { stdin: Readable.from([""]), stdout: { write: (t: string) => (stdout += t) }, stderr: process.stderr },
  );
  const seconds = (performance.now() - start) / 1000;
  fs.rmSync(path.dirname(file), { recursive: true });
  const linted = /Linted (\d+) object/.exec(stdout)?.[1];
  console.log(
    JSON.stringify({
      format,
      count,
      linted: Number(linted),
      exitCode: code,
      inputMiB: bytes / 2 ** 20,
      seconds,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
    }),
  );
}

function parent(): void {
  const rows: Record<string, unknown>[] = [];
  for (const format of Object.keys(SIZES) as Format[]) {
    for (const count of SIZES[format]) {
      const out = execFileSync(
        process.execPath,
        [
          "--expose-gc",
          "--max-old-space-size=8192",
          "-r",
          "ts-node/register/transpile-only",
          __filename,
          format,
          String(count),
        ],
        { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
      );
      const row = JSON.parse(out.trim().split("\n").at(-1) as string) as Record<string, number | string>;
      rows.push({
        input: `${format} ${Number(row.count).toLocaleString("en")} objects`,
        linted: row.linted,
        "input MiB": (row.inputMiB as number).toFixed(0),
        seconds: (row.seconds as number).toFixed(1),
        "peak RSS MiB": (row.peakRssMiB as number).toFixed(0),
        "RSS bytes/object": Math.round(((row.peakRssMiB as number) * 2 ** 20) / (row.count as number)),
      });
    }
  }
  console.log("lint over large inputs (each size in its own process)");
  console.table(rows);
}

const [format, count] = process.argv.slice(2);
if (format) void child(format as Format, Number(count));
else parent();
