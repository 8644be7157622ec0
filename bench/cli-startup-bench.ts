/**
 * How long a whole `mesh-egress` process takes, as a ratio to `node -e 0` timed in the same run: the
 * compiled CLI's start-up plus its work, for --version, lint of the prod render, render and report of prod.
 * Runs are interleaved (one of each command per round) so load on a shared machine hits all alike; the
 * median of the rounds is reported. Numbers only; nothing asserts. Needs dist/ (`npm run build`).
 * Run: npm run bench:cli (BENCH_RUNS=N for N rounds, default 7)
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const PROJECT_DIR = path.resolve(__dirname, "..");
const BIN = path.join(PROJECT_DIR, "bin", "mesh-egress.js");
const ROUNDS = Number(process.env.BENCH_RUNS ?? 7);

/** The issue's goals on an idle 2-core machine, as multiples of `node -e 0` where it gave one. */
interface StartupCase {
  readonly label: string;
  readonly args: readonly string[];
  readonly goal: string;
}

function wallMs(args: readonly string[]): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { cwd: PROJECT_DIR, stdio: ["ignore", "ignore", "pipe"] });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0)
    throw new Error(`node ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  return elapsed;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const loadAverage = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(", ");

function main(): void {
  if (!fs.existsSync(path.join(PROJECT_DIR, "dist", "cli", "main.js"))) {
    throw new Error("dist/ is missing: run `npm run build` first (npm run bench does)");
  }
  const render = spawnSync(process.execPath, [BIN, "render", "--stack", "prod"], {
    cwd: PROJECT_DIR,
    encoding: "utf8",
  });
  const prodRender = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-bench-")), "prod.yaml");
  fs.writeFileSync(prodRender, render.stdout);

  const cases: readonly StartupCase[] = [
    { label: "node -e 0", args: ["-e", "0"], goal: "" },
    { label: "mesh-egress --version", args: [BIN, "--version"], goal: "≤ 4×, ≤ 0.15 s" },
    {
      label: "lint --environment prod <prod render>",
      args: [BIN, "lint", "--environment", "prod", prodRender],
      goal: "≤ 0.3 s",
    },
    { label: "render --stack prod", args: [BIN, "render", "--stack", "prod"], goal: "≤ 0.6 s" },
    { label: "report --stack prod", args: [BIN, "report", "--stack", "prod"], goal: "≤ 0.6 s" },
  ];
  const startLoad = loadAverage();
  const samples = cases.map(() => [] as number[]);
  for (let round = 0; round < ROUNDS; round++) cases.forEach((c, i) => samples[i]!.push(wallMs(c.args)));
  const baseline = median(samples[0]!);

  console.log(
    `CLI start-up: median of ${ROUNDS} whole-process runs each, interleaved; Node ${process.version}, ${os.cpus().length} CPUs`,
  );
  console.log(`load average (1, 5, 15 min) at start ${startLoad}; at end ${loadAverage()}`);
  console.log(`${"command".padEnd(40)} ${"median".padStart(9)} ${"× node -e 0".padStart(12)}  goal (idle)`);
  cases.forEach((c, i) => {
    const ms = median(samples[i]!);
    console.log(
      `${c.label.padEnd(40)} ${`${ms.toFixed(0)} ms`.padStart(9)} ${`${(ms / baseline).toFixed(1)}×`.padStart(12)}  ${c.goal}`,
    );
  });
  fs.rmSync(path.dirname(prodRender), { recursive: true, force: true });
}

main();
