import * as assert from "node:assert/strict";
import { KubernetesObject } from "../contract";
import { cniPolicyNoInternetEgress } from "../rules/tenant-isolation/cni-policy-no-internet-egress";
import { runRule } from "../engine/evaluate";
import { describeMesh } from "../mesh/mesh-inference";
import { serviceNotExternalAlias } from "../rules/tenant-isolation/service-not-external-alias";
import { gatewaySelectorOnlyInPlatformNamespace } from "../rules/gateway-integrity/gateway-selector-only-in-platform-namespace";
import { knownRevisions } from "../mesh/istio-revisions";
import { tenantPodIstioKnobsAllowed } from "../rules/tenant-isolation/tenant-pod-istio-knobs-allowed";
import { tenantPodsWithinBaseline } from "../rules/tenant-isolation/tenant-pods-within-baseline";
import { tenantSidecarInjectionEnabled } from "../rules/tenant-isolation/tenant-sidecar-injection-enabled";
import { compliantPlatform, GATEWAY_NS } from "./compliant-platform";
import { assertOnlyRuleFires, assertRulePasses } from "./rule-harness";

/** Where the tenant rules stop: what a live export of a real cluster holds beside the tenants, and must not be flagged. */

function hostNetworkDaemonSet(namespace: string): KubernetesObject {
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: "node-exporter", namespace },
    spec: {
      template: { spec: { hostNetwork: true, hostPID: true, containers: [{ name: "e", image: "e:1" }] } },
    },
  };
}

const revisioned = (revision: string): KubernetesObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "api", namespace: "payments" },
  spec: { template: { metadata: { labels: { "istio.io/rev": revision } }, spec: { containers: [] } } },
});

describe("where the tenant rules apply", () => {
  it("judges a namespace seen only through its workloads as a tenant", () => {
    const objects = [...compliantPlatform(), hostNetworkDaemonSet("reports")];
    const found = runRule(tenantPodsWithinBaseline, objects, describeMesh(objects)).map((v) => v.message);
    assert.equal(found.length, 2);
    assert.match(found[0] ?? "", /DaemonSet reports\/node-exporter: hostNetwork: true/);
  });

  it("leaves a declared namespace outside the mesh (no tenant label, no injection) to its owners", () => {
    const monitoring: KubernetesObject = {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "monitoring" },
    };
    assertRulePasses(
      [...compliantPlatform(), monitoring, hostNetworkDaemonSet("monitoring")],
      tenantPodsWithinBaseline,
    );
  });

  it("leaves Kubernetes' own and the gateway's namespaces alone", () => {
    const objects = [
      ...compliantPlatform(),
      hostNetworkDaemonSet("kube-system"),
      hostNetworkDaemonSet(GATEWAY_NS),
    ];
    assertRulePasses(objects, tenantPodsWithinBaseline);
  });

  it("reads the revisions a live cluster runs from its injector webhooks", () => {
    const webhook: KubernetesObject = {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "MutatingWebhookConfiguration",
      metadata: { name: "istio-sidecar-injector-1-30", labels: { "istio.io/rev": "1-30" } },
    };
    assert.deepEqual([...knownRevisions([webhook])], ["1-30"]);
    assert.deepEqual([...knownRevisions([])], [], "an input that shows no revision judges none");
    assertRulePasses([...compliantPlatform(), webhook, revisioned("1-30")], tenantPodIstioKnobsAllowed);
    assertOnlyRuleFires([...compliantPlatform(), webhook, revisioned("1-29")], tenantPodIstioKnobsAllowed);
  });

  it("admits only the default revision when the platform's namespace asks for it with istio-injection", () => {
    assertRulePasses([...compliantPlatform(), revisioned("default")], tenantPodIstioKnobsAllowed);
    assertOnlyRuleFires([...compliantPlatform(), revisioned("canary")], tenantPodIstioKnobsAllowed);
  });

  it("refuses a tenant namespace labelled for a revision the platform does not run", () => {
    const objects = compliantPlatform();
    const gateway = objects.find((o) => o.kind === "Namespace" && o.metadata.name === GATEWAY_NS)!;
    delete gateway.metadata.labels!["istio-injection"];
    gateway.metadata.labels!["istio.io/rev"] = "1-30";
    const payments = objects.find((o) => o.kind === "Namespace" && o.metadata.name === "payments")!;
    delete payments.metadata.labels!["istio-injection"];
    payments.metadata.labels!["istio.io/rev"] = "1-30";
    assertRulePasses(objects, tenantSidecarInjectionEnabled);
    payments.metadata.labels!["istio.io/rev"] = "canary";
    const [f] = assertOnlyRuleFires(objects, tenantSidecarInjectionEnabled);
    assert.match(f?.message ?? "", /istio.io\/rev=canary, a revision the platform does not run \(1-30\)/);
  });

  it("does not take the API server's own Endpoints for an outside alias", () => {
    const apiServer: KubernetesObject[] = [
      { apiVersion: "v1", kind: "Service", metadata: { name: "kubernetes", namespace: "default" }, spec: {} },
      {
        apiVersion: "v1",
        kind: "Endpoints",
        metadata: { name: "kubernetes", namespace: "default" },
        subsets: [{ addresses: [{ ip: "34.120.1.2" }], ports: [{ port: 443 }] }],
      },
    ];
    assertRulePasses([...compliantPlatform(), ...apiServer], serviceNotExternalAlias);
  });

  it("leaves a Cilium host policy (nodeSelector) and a cluster-wide policy scoped to the gateway namespace alone", () => {
    const policies: KubernetesObject[] = [
      {
        apiVersion: "cilium.io/v2",
        kind: "CiliumClusterwideNetworkPolicy",
        metadata: { name: "host-egress" },
        spec: { nodeSelector: {}, egress: [{ toEntities: ["world"] }] },
      },
      {
        apiVersion: "cilium.io/v2",
        kind: "CiliumClusterwideNetworkPolicy",
        metadata: { name: "gateway-egress" },
        spec: {
          endpointSelector: { matchLabels: { "k8s:io.kubernetes.pod.namespace": GATEWAY_NS } },
          egress: [{ toEntities: ["world"] }],
        },
      },
    ];
    assertRulePasses([...compliantPlatform(), ...policies], cniPolicyNoInternetEgress);
  });

  it("takes a tenant's own ingress Gateway, selecting its own pods, for no hijack", () => {
    const ingress: KubernetesObject = {
      apiVersion: "networking.istio.io/v1",
      kind: "Gateway",
      metadata: { name: "ingress", namespace: "payments" },
      spec: { selector: { istio: "ingressgateway" }, servers: [] },
    };
    assertRulePasses([...compliantPlatform(), ingress], gatewaySelectorOnlyInPlatformNamespace);
  });

  it("takes a Gateway selecting a label only Helm varies on the gateway pods (helm.sh/chart) for a hijack", () => {
    const objects = compliantPlatform();
    objects.push({
      apiVersion: "networking.istio.io/v1",
      kind: "Gateway",
      metadata: { name: "by-chart", namespace: "payments" },
      spec: { selector: { "helm.sh/chart": "gateway-1.30.3" }, servers: [] },
    });
    assertOnlyRuleFires(objects, gatewaySelectorOnlyInPlatformNamespace);
  });
});
