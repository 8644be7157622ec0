/**
 * How lint's rule evaluation grows with the object count, against parsing the same YAML alone: CPU time and
 * peak memory at about 10k and 40k objects (synthetic registries rendered by the program). Each measurement
 * runs in a child process of its own, so peak RSS belongs to that work alone. Numbers only; nothing asserts.
 * Run: npm run bench (or node --expose-gc -r ts-node/register/transpile-only bench/lint-bench.ts)
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseManifests } from "../cli/read-manifests";
import { renderDocuments, toMultiDocumentYaml } from "../cli/render";
import { evaluate } from "../policy/engine/evaluate";
import { parseEgressConfig } from "../stacks/load-config";
import { syntheticStack } from "./synthetic-stack";

/** Registry sizes whose renders come to about 10k and 40k objects. */
const SIZES: readonly { readonly label: string; readonly services: number; readonly tenants: number }[] = [
  { label: "~10k objects", services: 1340, tenants: 670 },
  { label: "~40k objects", services: 5340, tenants: 2670 },
];

type Phase = "parse" | "lint";

interface ChildResult {
  readonly objects: number;
  readonly parseCpuMs: number;
  readonly lintCpuMs: number;
  readonly findings: number;
  readonly maxRssMiB: number;
}

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

/** In the child: parse the file (and lint it, for phase "lint"), then report CPU and peak RSS. */
function child(phase: Phase, file: string): void {
  const text = fs.readFileSync(file, "utf8");
  const parseStart = process.cpuUsage();
  const objects = parseManifests(text, file, false).map((o) => o.object);
  const parseCpuMs = cpuMs(parseStart);
  let lintCpuMs = 0;
  let findings = 0;
  if (phase === "lint") {
    const lintStart = process.cpuUsage();
    findings = evaluate(objects).findings.length;
    lintCpuMs = cpuMs(lintStart);
  }
  const result: ChildResult = {
    objects: objects.length,
    parseCpuMs,
    lintCpuMs,
    findings,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(JSON.stringify(result));
}

function run(phase: Phase, file: string): ChildResult {
  const out = execFileSync(
    process.execPath,
    ["-r", "ts-node/register/transpile-only", __filename, "--child", phase, file],
    { encoding: "utf8", maxBuffer: 1 << 20 },
  );
  return JSON.parse(out) as ChildResult;
}

function main(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-lint-bench-"));
  const rows: Record<string, string | number>[] = [];
  for (const size of SIZES) {
    const file = path.join(dir, `${size.services}.yaml`);
    const config = parseEgressConfig(syntheticStack(size.services, size.tenants), "bench");
    fs.writeFileSync(file, toMultiDocumentYaml(renderDocuments(config)));
    const parse = run("parse", file);
    const lint = run("lint", file);
    rows.push({
      case: size.label,
      objects: lint.objects,
      "parse-only CPU ms": parse.parseCpuMs.toFixed(0),
      "rules CPU ms": lint.lintCpuMs.toFixed(0),
      "rules / parse": (lint.lintCpuMs / parse.parseCpuMs).toFixed(2),
      "parse+rules / parse": ((lint.parseCpuMs + lint.lintCpuMs) / parse.parseCpuMs).toFixed(2),
      "µs per object (rules)": ((lint.lintCpuMs * 1000) / lint.objects).toFixed(1),
      "peak RSS MiB parse": parse.maxRssMiB.toFixed(0),
      "peak RSS MiB lint": lint.maxRssMiB.toFixed(0),
      "RSS lint / parse": (lint.maxRssMiB / parse.maxRssMiB).toFixed(2),
      findings: lint.findings,
    });
  }
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(`lint vs parse-only, node ${process.version}, ${process.platform}/${process.arch}`);
  console.table(rows);
}

const childAt = process.argv.indexOf("--child");
if (childAt >= 0) child(process.argv[childAt + 1] as Phase, process.argv[childAt + 2] ?? "");
else main();
