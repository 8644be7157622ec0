import { strict as assert } from "assert";
import type { EgressConfig } from "../stacks/model/egress-config";
import type { KubernetesObject } from "../components/kubernetes-object";
import { installPulumiMocks, registeredBy, RegisteredResource } from "./support/pulumi-harness";
import { manifestsFromRegistrations, objectKey, withoutUndefined } from "./support/registered-manifests";
import { projectStack } from "./support/stacks";

// Mocks first, then the code under test.
before(installPulumiMocks);

async function registerPlatform(config: EgressConfig): Promise<RegisteredResource[]> {
  const { EgressPlatform } = await import("../components/pulumi/egress-platform");
  return registeredBy(() => new EgressPlatform("mesh-egress", { config }));
}

/** JSON with keys sorted, so that key order never decides equality. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

function byKey(objects: readonly KubernetesObject[]): Map<string, unknown> {
  return new Map(objects.map((o) => [objectKey(o), withoutUndefined(o)]));
}

for (const stack of ["dev", "prod"] as const) {
  describe(`the ${stack} stack under Pulumi mocks`, () => {
    let config: EgressConfig;
    let resources: RegisteredResource[];
    before(async () => {
      config = projectStack(stack);
      resources = await registerPlatform(config);
    });

    it("registers exactly the objects and charts that render prints", async () => {
      const { renderDocuments } = await import("../cli/render");
      const rendered = renderDocuments(config);
      const registered = manifestsFromRegistrations(resources);

      const renderedObjects = rendered.filter((d) => !d.apiVersion.includes("fluxcd.io"));
      assert.deepEqual(byKey(registered.objects), byKey(renderedObjects));

      const renderedCharts = rendered
        .filter((d) => d.kind === "HelmRelease")
        .map((release) => {
          const spec = release.spec as any;
          const repository = rendered.find(
            (d) =>
              d.kind === "HelmRepository" &&
              d.metadata.name === spec.chart.spec.sourceRef.name &&
              d.metadata.namespace === spec.chart.spec.sourceRef.namespace,
          );
          return {
            releaseName: spec.releaseName,
            namespace: release.metadata.namespace,
            chart: spec.chart.spec.chart,
            version: spec.chart.spec.version,
            repository: (repository?.spec as any)?.url,
            values: spec.values,
          };
        });
      const sortCharts = (list: unknown[]) => [...list].map(canonicalJson).sort();
      assert.deepEqual(sortCharts(registered.charts.map(withoutUndefined)), sortCharts(renderedCharts));
      assert.ok(registered.objects.length > 20, "the comparison covers a real platform");
    });

    it("gives every resource a parent chain up to the platform and a unique URN", () => {
      const urns = resources.map((r) => r.urn);
      assert.equal(new Set(urns).size, urns.length, "URNs are unique");
      const byUrn = new Map(resources.map((r) => [r.urn, r]));
      const platform = resources.find((r) => r.type === "mesh-egress:index:EgressPlatform");
      assert.ok(platform, "the platform component is registered");
      for (const r of resources.filter((x) => x !== platform)) {
        let ancestor = byUrn.get(r.parent);
        while (ancestor && ancestor !== platform) ancestor = byUrn.get(ancestor.parent);
        assert.equal(ancestor, platform, `${r.type} ${r.name} descends from the platform`);
      }
    });

    it("names every child after its component, so two platforms could not collide", () => {
      const byUrn = new Map(resources.map((r) => [r.urn, r]));
      const children = resources.filter((r) => byUrn.has(r.parent));
      // Every resource but the platform itself has a registered parent.
      assert.equal(children.length, resources.length - 1);
      for (const r of children) {
        const parent = byUrn.get(r.parent)!;
        assert.ok(r.name.startsWith(parent.name), `${r.name} starts with ${parent.name}`);
      }
    });

    it("parents each routing object to the external service that owns it", () => {
      const byUrn = new Map(resources.map((r) => [r.urn, r]));
      // The shared HTTP Gateway is gateway-wide (the EgressGateway's); a TLS service's own Gateway is its own.
      const routing = resources.filter(
        (r) =>
          (["ServiceEntry", "Gateway", "VirtualService"].includes((r.inputs as any).kind) &&
            (r.inputs as any).metadata.labels["app.kubernetes.io/component"] !== "egress-gateway") ||
          (r.inputs as any).metadata?.name?.endsWith("-origination"),
      );
      // Every service has at least its ServiceEntry and one VirtualService.
      assert.ok(routing.length >= 2 * config.services.length, `${routing.length} routing objects`);
      for (const r of routing) {
        const service = (r.inputs as any).metadata.labels["mesh-egress.io/external-service"];
        assert.ok(service, `${r.name} names its service`);
        const parent = byUrn.get(r.parent);
        assert.equal(parent?.type, "mesh-egress:index:ExternalService", `${r.name}'s parent`);
        assert.equal(parent?.name, `mesh-egress-service-${service}`);
      }
    });

    it("keeps tenant namespaces when the stack is destroyed, but not the gateway's", () => {
      const namespaces = resources.filter((r) => r.type === "kubernetes:core/v1:Namespace");
      for (const ns of namespaces) {
        const name = (ns.inputs as any).metadata.name;
        const isTenant = config.tenants.some((t) => t.namespace === name);
        assert.equal(ns.retainOnDelete, isTenant, `retainOnDelete of namespace ${name}`);
      }
    });

    it("installs the gateway chart only after its namespace, and routes only after the chart", () => {
      const gatewayNamespace = resources.find(
        (r) =>
          r.type === "kubernetes:core/v1:Namespace" &&
          (r.inputs as any).metadata.name === config.gateway.namespace,
      );
      const chart = resources.find(
        (r) => r.type === "kubernetes:helm.sh/v4:Chart" && (r.inputs as any).chart === "gateway",
      );
      assert.ok(gatewayNamespace && chart);
      assert.ok(chart.dependencies.includes(gatewayNamespace.urn), "chart waits for its namespace");
      const serviceEntries = resources.filter(
        (r) => r.type === "kubernetes:networking.istio.io/v1:ServiceEntry",
      );
      assert.equal(serviceEntries.length, config.services.length);
      for (const entry of serviceEntries) {
        assert.ok(entry.dependencies.includes(chart.urn), `${entry.name} waits for the gateway chart`);
      }
    });

    it("closes a tenant's egress only after its namespace, the gateway chart and the routes it may use", () => {
      const sidecars = resources.filter((r) => r.type === "kubernetes:networking.istio.io/v1:Sidecar");
      assert.equal(sidecars.length, config.tenants.length);
      const chart = resources.find(
        (r) => r.type === "kubernetes:helm.sh/v4:Chart" && (r.inputs as any).chart === "gateway",
      )!;
      const virtualServices = resources.filter(
        (r) => r.type === "kubernetes:networking.istio.io/v1:VirtualService",
      );
      let checkedRoutes = 0;
      for (const sidecar of sidecars) {
        const ns = (sidecar.inputs as any).metadata.namespace;
        const namespace = resources.find(
          (r) => r.type === "kubernetes:core/v1:Namespace" && (r.inputs as any).metadata.name === ns,
        );
        assert.ok(
          namespace && sidecar.dependencies.includes(namespace.urn),
          `${sidecar.name} waits for namespace ${ns}`,
        );
        assert.ok(namespace.dependencies.includes(chart.urn), `namespace ${ns} waits for the gateway chart`);
        const allowed = config.tenants.find((t) => t.namespace === ns)!.allow;
        for (const vs of virtualServices) {
          const service = (vs.inputs as any).metadata.labels["mesh-egress.io/external-service"];
          const waits = namespace.dependencies.includes(vs.urn);
          assert.equal(waits, allowed.includes(service), `namespace ${ns} waits for ${vs.name}: ${waits}`);
          if (waits) checkedRoutes++;
        }
      }
      assert.ok(checkedRoutes > 0, "some tenant uses some route");
    });

    if (stack === "dev") {
      it("installs Istio base, then Istio CNI, then istiod, and istiod before the gateway", () => {
        const charts = resources.filter((r) => r.type === "kubernetes:helm.sh/v4:Chart");
        const chartNamed = (chart: string) => charts.find((c) => (c.inputs as any).chart === chart)!;
        assert.ok(chartNamed("cni").dependencies.includes(chartNamed("base").urn));
        assert.ok(chartNamed("istiod").dependencies.includes(chartNamed("cni").urn));
        const gatewayNamespace = resources.find(
          (r) =>
            r.type === "kubernetes:core/v1:Namespace" &&
            (r.inputs as any).metadata.name === config.gateway.namespace,
        )!;
        assert.ok(
          gatewayNamespace.dependencies.includes(chartNamed("istiod").urn),
          "the gateway waits for istiod",
        );
      });
    }
  });
}

describe("a stack with active break-glass entries under Pulumi mocks", () => {
  it("registers each entry's objects exactly as render prints them, under the BreakGlass component", async () => {
    const { breakGlassConfig, entry } = await import("./support/break-glass-fixtures");
    // Dev, where payments also uses passthrough idp: a direct entry then adds a route per host.
    const config = breakGlassConfig(
      {
        breakGlass: [
          entry(),
          entry({ id: "stripe-for-assistant", scope: { grant: { tenant: "assistant", service: "stripe" } } }),
          entry({
            id: "newpartner",
            scope: {
              grant: {
                tenant: "assistant",
                destination: { host: "api.newpartner.example", mode: "passthrough-mtls" },
              },
            },
          }),
        ],
      },
      "dev",
    );
    const resources = await registerPlatform(config);
    const { renderDocuments } = await import("../cli/render");
    const isBreakGlass = (o: KubernetesObject) => Boolean(o.metadata.labels?.["mesh-egress.io/break-glass"]);
    const registered = manifestsFromRegistrations(resources).objects.filter(isBreakGlass);
    const rendered = renderDocuments(config).filter(isBreakGlass);
    assert.equal(
      registered.length,
      8,
      "NetworkPolicy, two direct routes, each grant's AuthorizationPolicy, the new host's ServiceEntry, Gateway and route",
    );
    assert.deepEqual(byKey(registered), byKey(rendered));
    const component = resources.find((r) => r.type === "mesh-egress:index:BreakGlass");
    assert.ok(component, "a BreakGlass component");
  });
});
