import { strict as assert } from "assert";
import { syntheticStack } from "../bench/synthetic-stack";
import { parseEgressConfig } from "../stacks/load-config";
import { installPulumiMocks, registeredBy, RegisteredResource } from "./support/pulumi-harness";

// Mocks first, then the code under test.
before(installPulumiMocks);

interface Graph {
  readonly resources: number;
  readonly edges: number;
  /** Edges recorded on the resources under Tenant components. */
  readonly tenantEdges: number;
  readonly allowedPairs: number;
}

let round = 0;

/** Registers the synthetic platform and counts the dependency edges the engine would store. */
async function graphOf(raw: Record<string, any>): Promise<Graph> {
  const { EgressPlatform } = await import("../components/pulumi/egress-platform");
  const config = parseEgressConfig(raw, "test");
  const records = await registeredBy(() => new EgressPlatform(`edges${++round}`, { config }));
  const byUrn = new Map(records.map((r) => [r.urn, r]));
  const underTenant = (r: RegisteredResource) => byUrn.get(r.parent)?.type === "mesh-egress:index:Tenant";
  const count = (list: readonly RegisteredResource[]) => list.reduce((n, r) => n + r.dependencies.length, 0);
  return {
    resources: records.length,
    edges: count(records),
    tenantEdges: count(records.filter(underTenant)),
    allowedPairs: config.tenants.reduce((n, t) => n + t.allow.length, 0),
  };
}

describe("dependency edges of the registered platform (synthetic stacks)", () => {
  it("stay within a linear function of resources and allowed pairs, never services × tenants", async () => {
    for (const [services, tenants] of [
      [40, 10],
      [120, 60],
    ] as const) {
      const graph = await graphOf(syntheticStack(services, tenants));
      const bound = 3 * graph.resources + 8 * graph.allowedPairs;
      assert.ok(
        graph.edges <= bound,
        `${services} × ${tenants}: ${graph.edges} edges > 3 × ${graph.resources} resources + 8 × ${graph.allowedPairs} pairs`,
      );
    }
  });

  it("does not grow a tenant's edges per allowed pair when the registry doubles its services", async () => {
    const small = await graphOf(syntheticStack(40, 10));
    const large = await graphOf(syntheticStack(80, 10));
    assert.equal(large.allowedPairs, small.allowedPairs, "same tenants, same allowed pairs");
    assert.ok(small.tenantEdges > 0, "tenants wait for something");
    assert.ok(
      large.tenantEdges / large.allowedPairs <= small.tenantEdges / small.allowedPairs,
      `tenant edges per pair: ${small.tenantEdges / small.allowedPairs} → ${large.tenantEdges / large.allowedPairs}`,
    );
  });

  it("adds only a tenant's own few edges when the same allowed pairs are spread over twice the tenants", async () => {
    const raw = syntheticStack(40, 10);
    const halves = (tenant: { namespace: string; allow: string[] }) => [
      { namespace: tenant.namespace, allow: tenant.allow.slice(0, 5) },
      { namespace: `${tenant.namespace}-b`, allow: tenant.allow.slice(5) },
    ];
    const few = await graphOf(raw);
    const limits = (raw.rateLimits as any).tenants;
    const many = await graphOf({
      ...raw,
      tenants: (raw.tenants as any[]).flatMap(halves),
      // Each half keeps its tenant's limit: prod requires one for every tenant.
      rateLimits: {
        ...(raw.rateLimits as any),
        tenants: Object.fromEntries(
          Object.entries(limits).flatMap(([ns, limit]) => [
            [ns, limit],
            [`${ns}-b`, limit],
          ]),
        ),
      },
    });
    assert.equal(many.allowedPairs, few.allowedPairs, "the same allowed pairs");
    // Per added tenant: its namespace waits for the gateway chart, and its lock (3 objects) for its namespace.
    const added = 10;
    assert.ok(
      many.edges - few.edges <= 4 * added,
      `${few.edges} → ${many.edges} edges for ${added} more tenants with no more pairs`,
    );
  });
});
