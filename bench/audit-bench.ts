/**
 * What classifying observed traffic costs as tenant × host pairs double: linear work doubles, quadratic
 * quadruples. Observations are built before the clock starts; the clock times `buildEgressAudit` only.
 * Then what a 30-day window costs Prometheus, over raw series and over the audit records
 * (bench/audit-query-cost.ts). Numbers only, as ratios between sizes or to the raw side.
 * Run: npm run bench
 */
import { performance } from "perf_hooks";
import { buildEgressAudit, Observations, Observed } from "../cli/egress-audit";
import { parseEgressConfig } from "../stacks/load-config";
import { allowedServices } from "../stacks/relations/grants";
import { auditQueryCost } from "./audit-query-cost";
import { syntheticStack } from "./synthetic-stack";

/** Requests, connections and bytes for every host each tenant may reach, plus one undeclared host each. */
function observationsFor(config: ReturnType<typeof parseEgressConfig>): Observations {
  const pairs: Observed[] = config.tenants.flatMap((t) => [
    ...allowedServices(t, config).flatMap((s) =>
      s.hosts.map((host) => ({ tenant: t.namespace, destination: host, value: 7 })),
    ),
    { tenant: t.namespace, destination: `undeclared.${t.namespace}.example`, value: 1 },
  ]);
  return {
    requests: pairs,
    connections: pairs,
    egressBytes: pairs,
    denials: [],
    refusedRequests: [],
    refusedConnections: [],
    unregisteredConnections: [],
    unregisteredRequests: [],
  };
}

async function main(): Promise<void> {
  const rows: Record<string, string | number>[] = [];
  let base: number | undefined;
  for (const tenants of [50, 200, 400, 800]) {
    const config = parseEgressConfig(syntheticStack(500, tenants), "bench");
    const observations = observationsFor(config);
    const segment = { from: "2026-11-01T00:00:00Z", to: "2026-12-01T00:00:00Z", observations };
    const context = {
      source: "bench",
      prometheus: "http://prometheus.bench",
      window: "30d",
      readFrom: { series: "raw" as const, reason: "--source raw" },
    };
    buildEgressAudit(config, [segment], context); // warm-up: JIT
    const start = performance.now();
    const audit = buildEgressAudit(config, [segment], context);
    const ms = performance.now() - start;
    if (tenants === 50) continue;
    base ??= ms / observations.requests.length;
    rows.push({
      "tenant × host pairs": observations.requests.length,
      "rows out": audit.traffic.length,
      ms: ms.toFixed(1),
      "ms per pair, relative to the smallest": (ms / observations.requests.length / base).toFixed(2),
    });
  }
  console.log(`node ${process.version}; audit classification (buildEgressAudit), one 30-day segment`);
  console.table(rows);
  await auditQueryCost();
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
