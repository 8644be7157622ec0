/**
 * How long validation + build + render take, and how much heap they use, for the shipped stacks
 * and for synthetic registries far larger than a real one. Numbers only; nothing here asserts.
 * Run: npm run bench
 */
import { performance } from "perf_hooks";
import { renderDocuments, toMultiDocumentYaml } from "../cli/render";
import { loadStackFile, parseEgressConfig, stackFilePath } from "../stacks/load-config";
import { syntheticStack } from "./synthetic-stack";

interface Sample {
  readonly name: string;
  readonly documents: number;
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly heapDeltaMiB: number;
}

function measure(name: string, run: () => string, iterations: number): Sample {
  run(); // warm-up: JIT and module caches
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const times: number[] = [];
  let documents = 0;
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    documents = run().split("\n---\n").length;
    times.push(performance.now() - start);
  }
  const heapDeltaMiB = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
  times.sort((a, b) => a - b);
  return {
    name,
    documents,
    medianMs: times[Math.floor(times.length / 2)],
    p95Ms: times[Math.min(times.length - 1, Math.floor(times.length * 0.95))],
    heapDeltaMiB,
  };
}

const samples: Sample[] = [
  measure(
    "stack dev (file → YAML)",
    () => toMultiDocumentYaml(renderDocuments(loadStackFile(stackFilePath("dev")))),
    50,
  ),
  measure(
    "stack prod (file → YAML)",
    () => toMultiDocumentYaml(renderDocuments(loadStackFile(stackFilePath("prod")))),
    50,
  ),
];
for (const [services, tenants] of [
  [100, 50],
  [500, 200],
] as const) {
  const raw = syntheticStack(services, tenants);
  samples.push(
    measure(
      `synthetic ${services} services × ${tenants} tenants`,
      () => toMultiDocumentYaml(renderDocuments(parseEgressConfig(raw, "bench"))),
      services > 100 ? 5 : 10,
    ),
  );
}

console.log(`node ${process.version}, ${process.platform}/${process.arch}`);
console.table(
  samples.map((s) => ({
    case: s.name,
    documents: s.documents,
    "median ms": s.medianMs.toFixed(1),
    "p95 ms": s.p95Ms.toFixed(1),
    "heap Δ MiB": s.heapDeltaMiB.toFixed(1),
  })),
);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
