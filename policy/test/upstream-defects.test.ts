import { stringify as stringifyYaml } from "yaml";
import { meshConfigForAccessLog } from "../../components/gateway-access-log";
import * as assert from "node:assert/strict";
import { KubernetesObject } from "../contract";
import { evaluate } from "../engine/evaluate";
import { serviceNotExternalAlias } from "../rules/tenant-isolation/service-not-external-alias";
import { controlPlaneRegistryOnly } from "../rules/registry/control-plane-registry-only";
import { serviceEntryAddressesInternalOnly } from "../rules/registry/service-entry-addresses-internal-only";
import { mutualOriginationServerRootsProvided } from "../rules/tls/mutual-origination-server-roots-provided";
import { gatewayAccessLoggingConfigured } from "../rules/observability/gateway-access-logging-configured";
import { tenantPodIstioKnobsAllowed } from "../rules/tenant-isolation/tenant-pod-istio-knobs-allowed";
import { sidecarInterceptionNotNarrowed } from "../rules/tenant-isolation/sidecar-interception-not-narrowed";
import { originationRuleGatewayOnly } from "../rules/tls/origination-rule-gateway-only";
import { compliantPlatform, GATEWAY_NS } from "./compliant-platform";
import { assertOnlyRuleFires, assertRulePasses, findings } from "./rule-harness";

/** The defect classes found by linting upstream's own egress examples, one behaviour per test. */

type Mutable = Record<string, any>;

const without = (objects: KubernetesObject[], kind: string): KubernetesObject[] =>
  objects.filter((o) => o.kind !== kind);

const ofRule = (objects: readonly KubernetesObject[], rule: { name: string }, options = {}): string[] =>
  findings(objects, options)
    .filter((f) => f.rule === rule.name)
    .map((f) => `${f.kind} ${f.namespace ?? "-"}/${f.name}`);

/** The `istio` ConfigMap, defining the gateway's access-log provider too, so only the outbound policy is judged. */
function meshConfigMap(mesh: string): KubernetesObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "istio", namespace: "istio-system" },
    data: { mesh: mesh + stringifyYaml(meshConfigForAccessLog()) },
  };
}

function operator(spec: Record<string, unknown>): KubernetesObject {
  const meshConfig = spec.meshConfig
    ? { ...(spec.meshConfig as object), ...meshConfigForAccessLog() }
    : undefined;
  return {
    apiVersion: "install.istio.io/v1alpha1",
    kind: "IstioOperator",
    metadata: { name: "installed-state", namespace: "istio-system" },
    spec: meshConfig ? { ...spec, meshConfig } : spec,
  };
}

describe("lint on configurations it did not write", () => {
  describe("ALLOW_ANY wherever istiod's mesh config is written", () => {
    it("flags ALLOW_ANY in the istio ConfigMap's mesh key", () => {
      const objects = [...compliantPlatform(), meshConfigMap("outboundTrafficPolicy:\n  mode: ALLOW_ANY\n")];
      const [f] = assertOnlyRuleFires(objects, controlPlaneRegistryOnly);
      assert.equal(f?.kind, "ConfigMap");
      assert.match(f?.message ?? "", /data\.mesh\) is ALLOW_ANY/);
    });

    it("flags an istio ConfigMap that leaves the mode out, since istiod then allows any host", () => {
      const objects = [...compliantPlatform(), meshConfigMap("accessLogFile: /dev/stdout\n")];
      assertOnlyRuleFires(objects, controlPlaneRegistryOnly);
    });

    it("accepts REGISTRY_ONLY in the istio ConfigMap", () => {
      assertRulePasses(
        [meshConfigMap("outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n")],
        controlPlaneRegistryOnly,
      );
    });

    it("flags ALLOW_ANY in an IstioOperator's meshConfig", () => {
      const objects = [
        ...compliantPlatform(),
        operator({ meshConfig: { outboundTrafficPolicy: { mode: "ALLOW_ANY" } } }),
      ];
      const [f] = assertOnlyRuleFires(objects, controlPlaneRegistryOnly);
      assert.equal(f?.kind, "IstioOperator");
    });

    it("ignores an IstioOperator overlay that installs no istiod and sets no mode", () => {
      assertRulePasses(
        [operator({ profile: "empty", components: { egressGateways: [{ name: "eg", enabled: true }] } })],
        controlPlaneRegistryOnly,
      );
    });
  });

  it("takes meshConfig.accessLogFile as the gateway's access log, in place of a Telemetry", () => {
    const noTelemetry = without(compliantPlatform(), "Telemetry");
    assert.deepEqual(ofRule(noTelemetry, gatewayAccessLoggingConfigured), [`Namespace -/${GATEWAY_NS}`]);
    assertRulePasses(
      [
        ...noTelemetry,
        operator({
          meshConfig: { accessLogFile: "/dev/stdout", outboundTrafficPolicy: { mode: "REGISTRY_ONLY" } },
        }),
      ],
      gatewayAccessLoggingConfigured,
    );
    assertRulePasses(
      [...noTelemetry, meshConfigMap("accessLogFile: /dev/stdout\n")],
      gatewayAccessLoggingConfigured,
    );
  });

  describe("sidecar interception narrowed", () => {
    const pod = (annotations: Record<string, string>): KubernetesObject => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "app", namespace: "payments", annotations },
      spec: { containers: [{ name: "app", image: "app" }] },
    });

    it("leaves a tenant pod's excludeOutboundPorts and narrow include list to the knob allow-list", () => {
      const objects = [
        ...compliantPlatform(),
        pod({ "traffic.sidecar.istio.io/excludeOutboundPorts": "443" }),
        {
          ...pod({ "traffic.sidecar.istio.io/includeOutboundIPRanges": "10.0.0.0/8" }),
          metadata: {
            name: "b",
            namespace: "payments",
            annotations: { "traffic.sidecar.istio.io/includeOutboundIPRanges": "10.0.0.0/8" },
          },
        },
      ];
      assert.equal(assertOnlyRuleFires(objects, tenantPodIstioKnobsAllowed).length, 2);
    });

    it("flags a namespace whose excluded ranges reach public addresses, and not one excluding only internal ranges", () => {
      const objects = compliantPlatform();
      const ns = objects.find((o) => o.kind === "Namespace" && o.metadata.name === "ml") as Mutable;
      ns.metadata.annotations = {
        "traffic.sidecar.istio.io/excludeOutboundIPRanges": "10.0.0.0/8,0.0.0.0/0",
      };
      assert.deepEqual(ofRule(objects, sidecarInterceptionNotNarrowed), ["Namespace -/ml"]);
      ns.metadata.annotations = { "traffic.sidecar.istio.io/excludeOutboundIPRanges": "10.0.0.0/8" };
      assertRulePasses(objects, sidecarInterceptionNotNarrowed);
    });

    it("accepts includeOutboundIPRanges of *", () => {
      assertRulePasses(
        [...compliantPlatform(), pod({ "traffic.sidecar.istio.io/includeOutboundIPRanges": "*" })],
        sidecarInterceptionNotNarrowed,
      );
    });
  });

  describe("ways out that are not Istio objects", () => {
    it("flags a selector-less Service whose EndpointSlice carries a public address", () => {
      const objects: KubernetesObject[] = [
        ...compliantPlatform(),
        {
          apiVersion: "v1",
          kind: "Service",
          metadata: { name: "partner", namespace: "payments" },
          spec: { ports: [{ port: 443 }] },
        },
        {
          apiVersion: "discovery.k8s.io/v1",
          kind: "EndpointSlice",
          metadata: {
            name: "partner-1",
            namespace: "payments",
            labels: { "kubernetes.io/service-name": "partner" },
          },
          addressType: "IPv4",
          endpoints: [{ addresses: ["203.0.113.7"] }],
        },
      ];
      const [f] = assertOnlyRuleFires(objects, serviceNotExternalAlias);
      assert.match(f?.message ?? "", /203\.0\.113\.7/);
    });

    it("accepts an ExternalName to an in-cluster name under a custom cluster domain", () => {
      const alias: KubernetesObject = {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "db", namespace: "payments" },
        spec: { type: "ExternalName", externalName: "db.data.svc.corp.example" },
      };
      assert.deepEqual(ofRule([alias], serviceNotExternalAlias), ["Service payments/db"]);
      assert.deepEqual(ofRule([alias], serviceNotExternalAlias, { clusterDomain: "corp.example" }), []);
    });
  });

  it("flags ServiceEntry addresses beyond internal ranges, and accepts internal ones", () => {
    const entry = (addresses: string[]): KubernetesObject => ({
      apiVersion: "networking.istio.io/v1",
      kind: "ServiceEntry",
      metadata: { name: "x", namespace: GATEWAY_NS },
      spec: { hosts: ["x.example.com"], addresses, exportTo: ["."], resolution: "DNS" },
    });
    assert.equal(ofRule([entry(["0.0.0.0/0"])], serviceEntryAddressesInternalOnly).length, 1);
    assert.equal(ofRule([entry(["8.8.8.8"])], serviceEntryAddressesInternalOnly).length, 1);
    assert.deepEqual(ofRule([entry(["10.20.0.0/16", "fd00::1"])], serviceEntryAddressesInternalOnly), []);
  });

  it("never gives a weaker config fewer findings: without AuthorizationPolicies or exportTo, workload namespaces are still tenants", () => {
    const strong = compliantPlatform().filter(
      (o) => !(o.kind === "Sidecar" && o.metadata.namespace === "payments"),
    );
    const weak = strong
      .filter((o) => o.kind !== "AuthorizationPolicy")
      .map((o) => {
        const copy = JSON.parse(JSON.stringify(o)) as Mutable;
        if (copy.kind === "ServiceEntry") delete copy.spec.exportTo;
        if (copy.kind === "Namespace") delete copy.metadata.labels["mesh-egress.io/tenant"];
        return copy as KubernetesObject;
      });
    weak.push({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "api", namespace: "payments" },
      spec: { template: { metadata: {}, spec: {} } },
    });
    const key = (f: { rule: string; kind: string; namespace?: string; name: string }): string =>
      `${f.rule} ${f.kind} ${f.namespace ?? "-"}/${f.name}`;
    const weakKeys = new Set(findings(weak).map(key));
    for (const f of findings(strong)) assert.ok(weakKeys.has(key(f)), `weaker config lost ${key(f)}`);
    assert.ok(weakKeys.size > findings(strong).length);
  });

  describe("false findings that must not fire", () => {
    it("accepts a hand-made credential Secret with ca.crt for MUTUAL origination, but not cert-manager's", () => {
      const rule: KubernetesObject = {
        apiVersion: "networking.istio.io/v1",
        kind: "DestinationRule",
        metadata: { name: "originate", namespace: GATEWAY_NS },
        spec: {
          host: "api.example.com",
          exportTo: ["."],
          trafficPolicy: {
            tls: {
              mode: "MUTUAL",
              credentialName: "client",
              sni: "api.example.com",
              subjectAltNames: ["api.example.com"],
            },
          },
        },
      };
      const secret = (annotations: Record<string, string>): KubernetesObject => ({
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "client", namespace: GATEWAY_NS, annotations },
        data: { "tls.crt": "", "tls.key": "", "ca.crt": "" },
      });
      assertRulePasses([rule, secret({})], mutualOriginationServerRootsProvided);
      assert.equal(
        ofRule(
          [rule, secret({ "cert-manager.io/certificate-name": "client" })],
          mutualOriginationServerRootsProvided,
        ).length,
        1,
      );
    });

    it("does not call an in-cluster host external under a cluster domain other than cluster.local", () => {
      const rule: KubernetesObject = {
        apiVersion: "networking.istio.io/v1",
        kind: "DestinationRule",
        metadata: { name: "db-tls", namespace: "payments" },
        spec: { host: "db.data.svc.corp.example", trafficPolicy: { tls: { mode: "SIMPLE" } } },
      };
      const objects = [...compliantPlatform(), rule];
      assert.deepEqual(ofRule(objects, originationRuleGatewayOnly), ["DestinationRule payments/db-tls"]);
      assert.deepEqual(ofRule(objects, originationRuleGatewayOnly, { clusterDomain: "corp.example" }), []);
    });
  });

  it("puts namespace-less objects where kubectl apply -n would, before any rule runs", () => {
    const entry: KubernetesObject = {
      apiVersion: "networking.istio.io/v1",
      kind: "ServiceEntry",
      metadata: { name: "paste" },
      spec: { hosts: ["pastebin.com"], exportTo: ["."], resolution: "DNS" },
    };
    const objects = [...compliantPlatform(), entry];
    const at = (ns?: string): string[] =>
      evaluate(objects, ns ? { defaultNamespace: ns } : {})
        .findings.filter((f) => f.rule === "service-entry-in-platform-namespace")
        .map((f) => `${f.namespace}/${f.name}`);
    assert.deepEqual(at(), ["default/paste"]);
    assert.deepEqual(at("payments"), ["payments/paste"]);
    assert.deepEqual(at(GATEWAY_NS), []);
  });
});
