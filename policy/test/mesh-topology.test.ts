import * as assert from "node:assert/strict";
import { KubernetesObject } from "../contract";
import { describeMesh } from "../mesh/mesh-inference";
import { hostTraffic } from "../mesh/mesh-queries";
import { compliantPlatform, find, GATEWAY_NS } from "./compliant-platform";

const without = (objects: KubernetesObject[], kind: string): KubernetesObject[] =>
  objects.filter((o) => o.kind !== kind);

describe("the mesh topology read from the objects", () => {
  it("finds the platform namespace from the Namespace labelled mesh-egress.io/role=egress-gateway", () => {
    const objects = compliantPlatform();
    const mesh = describeMesh(objects);
    assert.equal(mesh.gatewayNamespace, GATEWAY_NS);
    assert.match(mesh.gatewayNamespaceEvidence, /Namespace labelled/);
  });

  it("falls back to the namespace of the gateway chart's HelmRelease", () => {
    const objects = compliantPlatform();
    delete find(objects, "Namespace", GATEWAY_NS).metadata.labels["mesh-egress.io/role"];
    find(objects, "HelmRelease", "istio-egressgateway").metadata.namespace = "flux-system";
    find(objects, "HelmRelease", "istio-egressgateway").spec.targetNamespace = "edge-out";
    assert.equal(describeMesh(objects).gatewayNamespace, "edge-out");
  });

  it("takes the namespace of the gateway Service that routes name over the namespace a Gateway object sits in", () => {
    const objects = without(without(compliantPlatform(), "Namespace"), "HelmRelease");
    for (const gateway of objects.filter((o) => o.kind === "Gateway"))
      (gateway.metadata as { namespace?: string }).namespace = "default";
    const mesh = describeMesh(objects);
    assert.equal(mesh.gatewayNamespace, GATEWAY_NS);
    assert.match(mesh.gatewayNamespaceEvidence, /naming the egress gateway Service/);
  });

  it("falls back to the namespace of the Gateways that select istio: egressgateway", () => {
    const objects = without(
      without(without(without(compliantPlatform(), "Namespace"), "HelmRelease"), "VirtualService"),
      "DestinationRule",
    );
    const mesh = describeMesh(objects);
    assert.equal(mesh.gatewayNamespace, GATEWAY_NS);
    assert.match(mesh.gatewayNamespaceEvidence, /Gateways selecting/);
  });

  it("falls back to the namespace of the gateway Service that VirtualServices route to", () => {
    const objects = without(without(without(compliantPlatform(), "Namespace"), "HelmRelease"), "Gateway");
    assert.equal(describeMesh(objects).gatewayNamespace, GATEWAY_NS);
  });

  it("lets --gateway-namespace override what the objects say", () => {
    const mesh = describeMesh(compliantPlatform(), { gatewayNamespace: "elsewhere" });
    assert.equal(mesh.gatewayNamespace, "elsewhere");
    assert.equal(mesh.gatewayNamespaceEvidence, "--gateway-namespace");
  });

  it("reports no platform namespace when nothing reveals it", () => {
    const mesh = describeMesh([{ apiVersion: "v1", kind: "Namespace", metadata: { name: "payments" } }]);
    assert.equal(mesh.gatewayNamespace, undefined);
  });

  it("collects tenants from labels, gateway AuthorizationPolicy sources and ServiceEntry exportTo", () => {
    const objects = without(compliantPlatform(), "Namespace");
    objects.push({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "labelled", labels: { "mesh-egress.io/tenant": "labelled" } },
    });
    find(objects, "ServiceEntry", "egress-openai").spec.exportTo.push("exported-only");
    find(objects, "AuthorizationPolicy", "tenant-payments").spec.rules[0].from[0].source.namespaces.push(
      "authorized-only",
    );
    const mesh = describeMesh(objects, { gatewayNamespace: GATEWAY_NS });
    assert.deepEqual([...mesh.tenantNamespaces].sort(), [
      "authorized-only",
      "exported-only",
      "labelled",
      "ml",
      "payments",
      "support",
    ]);
  });

  it("never counts the gateway or root namespace as a tenant", () => {
    const objects = compliantPlatform();
    find(objects, "ServiceEntry", "egress-openai").spec.exportTo.push(GATEWAY_NS, "istio-system");
    const mesh = describeMesh(objects);
    assert.ok(!mesh.tenantNamespaces.has(GATEWAY_NS));
    assert.ok(!mesh.tenantNamespaces.has("istio-system"));
  });

  it("reads the gateway's pod labels and Service name from the chart release", () => {
    const objects = compliantPlatform();
    const release = find(objects, "HelmRelease", "istio-egressgateway");
    release.spec.releaseName = "corp-egress";
    release.spec.values.labels.team = "platform";
    const mesh = describeMesh(objects);
    assert.equal(mesh.gatewayLabels.team, "platform");
    assert.equal(mesh.gatewayLabels.app, "corp-egress");
    assert.ok(mesh.gatewayServiceNames.has("corp-egress"));
  });

  it("tells HTTP from opaque traffic by the Gateway server, then by ServiceEntry ports", () => {
    const objects = compliantPlatform();
    const mesh = describeMesh(objects);
    assert.equal(hostTraffic(mesh, "api.stripe.com"), "opaque");
    assert.equal(hostTraffic(mesh, "api.github.com"), "opaque");
    assert.equal(hostTraffic(mesh, "api.openai.com"), "http");
    assert.equal(hostTraffic(mesh, "unknown.example.com"), "unknown");
    const noGateways = describeMesh(without(objects, "Gateway"));
    assert.equal(hostTraffic(noGateways, "api.stripe.com"), "opaque");
    assert.equal(hostTraffic(noGateways, "api.openai.com"), "http");
  });
});
