/**
 * What the program's registration costs under Pulumi's mock runtime, against the floor: the very same
 * custom resources (type, name, inputs) registered straight through the SDK, with no components,
 * parents or dependsOn. Manifests are built before the clock starts, so both sides time registration
 * only. Numbers only; the edge bound is asserted in test/dependency-edges.test.ts.
 * Run: npm run bench
 */
import * as pulumi from "@pulumi/pulumi";
import { performance } from "perf_hooks";
import { parseEgressConfig } from "../stacks/load-config";
import { installPulumiMocks, registeredBy, RegisteredResource } from "../test/support/pulumi-harness";
import { syntheticStack } from "./synthetic-stack";

interface Run {
  readonly resources: number;
  readonly edges: number;
  readonly ms: number;
  /** CPU (user + system) of this process: what the work costs, even on a machine shared with other load. */
  readonly cpuMs: number;
  readonly heapMiB: number;
}

const COMPONENT_TYPE = /^mesh-egress:index:/;

/** A resource registered as is: no parent, no dependsOn. */
class FlatResource extends pulumi.CustomResource {
  constructor(type: string, name: string, inputs: pulumi.Inputs) {
    super(type, name, inputs);
  }
}

async function measure(register: () => unknown): Promise<{ run: Run; records: RegisteredResource[] }> {
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const records = await registeredBy(register);
  const cpu = process.cpuUsage(cpuStart);
  const ms = performance.now() - start;
  const heapMiB = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
  const edges = records.reduce((sum, r) => sum + r.dependencies.length, 0);
  return {
    run: { resources: records.length, edges, ms, cpuMs: (cpu.user + cpu.system) / 1000, heapMiB },
    records,
  };
}

async function main(): Promise<void> {
  await installPulumiMocks();
  const { EgressPlatform } = await import("../components/pulumi/egress-platform");
  const { buildPlatformManifests } = await import("../components/platform-manifests");
  const rows: Record<string, string | number>[] = [];
  let round = 0;
  for (const [services, tenants] of [
    [10, 5], // warm-up: JIT and module caches; not reported
    [100, 50],
    [500, 200],
    [1000, 200],
  ] as const) {
    const config = parseEgressConfig(syntheticStack(services, tenants), "bench");
    const manifests = buildPlatformManifests(config);
    const pairs = config.grants.inForce.filter((g) => g.source.kind === "allow").length;
    round++;
    const program = await measure(() => new EgressPlatform(`bench${round}`, { config, manifests }, {}));
    // The floor: the same non-component registrations, flat.
    const flat = program.records.filter((r) => !COMPONENT_TYPE.test(r.type));
    const floor = await measure(() =>
      flat.map((r) => new FlatResource(r.type, `floor${round}-${r.name}`, r.inputs)),
    );
    if (services === 10) continue;
    for (const [side, { run }] of [
      ["program", program],
      ["floor", floor],
    ] as const) {
      rows.push({
        "services × tenants": `${services} × ${tenants}`,
        "allowed pairs": pairs,
        side,
        resources: run.resources,
        "dependency edges": run.edges,
        "wall ms": run.ms.toFixed(0),
        "cpu ms": run.cpuMs.toFixed(0),
        "heap Δ MiB": run.heapMiB.toFixed(1),
        "cpu ratio": side === "program" ? (program.run.cpuMs / floor.run.cpuMs).toFixed(2) : "",
        "wall ratio": side === "program" ? (program.run.ms / floor.run.ms).toFixed(2) : "",
      });
    }
  }
  console.log(
    `node ${process.version}, ${process.platform}/${process.arch}; registration under Pulumi mocks`,
  );
  console.table(rows);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
