import { strict as assert } from "assert";
import { APPLY_ORDER, ApplyPart } from "../components/apply-order";
import type { KubernetesObject } from "../components/kubernetes-object";
import {
  buildPlatformManifests,
  manifestsInApplyOrder,
  PlatformManifests,
} from "../components/platform-manifests";
import { installPulumiMocks, registeredBy, RegisteredResource } from "./support/pulumi-harness";

// Mocks first, then the code under test.
before(installPulumiMocks);

// A part added to PlatformManifests without a place in APPLY_ORDER does not compile.
const everyPartOrdered: [Exclude<keyof PlatformManifests, ApplyPart>] extends [never] ? true : false = true;

/** The component each part registers under `pulumi up`. */
const componentOf: Record<ApplyPart, string> = {
  controlPlane: "ControlPlane",
  certManager: "CertManagerInstallation",
  guardrails: "AdmissionGuardrails",
  gateway: "EgressGateway",
  observability: "Observability",
  certificates: "OriginationCertificates",
  services: "ExternalService",
  rateLimits: "RateLimits",
  tenants: "Tenant",
  breakGlass: "BreakGlass",
  clusterEgressLock: "ClusterEgressLock",
};

/** Dev with every part present: the control plane, cert-manager, break-glass entries and the cluster-wide lock. */
async function everyPartConfig() {
  const { breakGlassConfig, entry } = await import("./support/break-glass-fixtures");
  return breakGlassConfig(
    {
      controlPlane: { install: true },
      certManager: { install: true },
      cluster: { lockAllNamespaces: true },
      breakGlass: [
        entry({ id: "stripe-for-assistant", scope: { grant: { tenant: "assistant", service: "stripe" } } }),
      ],
    },
    "dev",
  );
}

describe("the apply order, declared once for render and pulumi up", () => {
  it("lists every part once, each after only parts listed before it", () => {
    assert.ok(everyPartOrdered);
    const seen = new Set<ApplyPart>();
    for (const step of APPLY_ORDER) {
      assert.ok(!seen.has(step.part), `${step.part} is listed once`);
      for (const before of step.after)
        assert.ok(seen.has(before), `${step.part} waits for ${before}, listed earlier`);
      seen.add(step.part);
    }
    assert.deepEqual([...seen].sort(), Object.keys(componentOf).sort());
  });

  it("renders every namespace first, then the charts, then each part's objects in the declared order", async () => {
    const platform = buildPlatformManifests(await everyPartConfig());
    const rendered = manifestsInApplyOrder(platform);
    const objects = rendered.flatMap((m) => ("object" in m ? [m.object] : []));
    const firstChart = rendered.findIndex((m) => "chart" in m);
    assert.ok(rendered.slice(0, firstChart).every((m) => "object" in m && m.object.kind === "Namespace"));
    assert.ok(rendered.slice(firstChart).every((m) => "chart" in m || m.object.kind !== "Namespace"));

    const ownObjects: Record<ApplyPart, readonly KubernetesObject[]> = {
      controlPlane: [],
      certManager: [],
      guardrails: platform.guardrails ?? [],
      gateway: platform.gateway.objects,
      observability: platform.observability.objects,
      certificates: platform.certificates.issuers.map((i) => i.issuerObject),
      services: platform.services.flatMap((s) => s.objects),
      rateLimits: platform.rateLimits.objects,
      tenants: platform.tenants.flatMap((t) => t.manifests.objects),
      breakGlass: platform.breakGlass.entries.flatMap((e) => e.objects),
      clusterEgressLock: platform.clusterEgressLock,
    };
    let last = -1;
    for (const { part } of APPLY_ORDER) {
      const positions = ownObjects[part].map((o) => objects.indexOf(o));
      if (positions.length === 0) continue;
      assert.ok(Math.min(...positions) > last, `${part}'s objects come after the parts declared before it`);
      last = Math.max(...positions);
    }
    assert.ok(
      platform.clusterEgressLock.length > 0 && platform.breakGlass.entries.length > 0,
      "every part renders",
    );
  });

  it("makes pulumi up wait, for every declared edge, on a resource of the part waited for", async () => {
    const config = await everyPartConfig();
    const { EgressPlatform } = await import("../components/pulumi/egress-platform");
    const resources = await registeredBy(() => new EgressPlatform("order", { config }));
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const componentTypeOf = (r: RegisteredResource): string | undefined => {
      for (let at = byUrn.get(r.parent); at; at = byUrn.get(at.parent)) {
        const type = at.type.replace("mesh-egress:index:", "");
        if (type !== "EgressPlatform" && Object.values(componentOf).includes(type)) return type;
      }
      return undefined;
    };
    const under = (part: ApplyPart) => resources.filter((r) => componentTypeOf(r) === componentOf[part]);
    for (const { part, after } of APPLY_ORDER) {
      const waiting = under(part);
      assert.ok(waiting.length > 0, `${part} registers resources`);
      for (const before of after) {
        const awaited = new Set(under(before).map((r) => r.urn));
        assert.ok(
          waiting.some((r) => r.dependencies.some((urn) => awaited.has(urn))),
          `${part} waits on ${before}`,
        );
      }
    }
  });
});
