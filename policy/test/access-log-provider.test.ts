import * as assert from "node:assert/strict";
import { gatewayAccessLogRecordsCaller } from "../rules/observability/gateway-access-log-records-caller";
import { KubernetesObject } from "../contract";
import { compliantPlatform, find } from "./compliant-platform";
import { assertOnlyRuleFires, assertRulePasses } from "./rule-harness";

const PROVIDER = "mesh-egress-gateway-json";

/** The `istio` ConfigMap istiod reads its mesh config from, with `mesh` as YAML text (REGISTRY_ONLY, so only logging is judged). */
function istioConfigMap(mesh: string): KubernetesObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "istio", namespace: "istio-system" },
    data: { mesh: `outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n${mesh}` },
  };
}

function istioOperator(extensionProviders: unknown[]): KubernetesObject {
  return {
    apiVersion: "install.istio.io/v1alpha1",
    kind: "IstioOperator",
    metadata: { name: "control-plane", namespace: "istio-system" },
    spec: { meshConfig: { outboundTrafficPolicy: { mode: "REGISTRY_ONLY" }, extensionProviders } },
  };
}

/** The compliant platform with its gateway Telemetry logging through `provider`. */
function loggingThrough(provider: string): KubernetesObject[] {
  const objects = compliantPlatform();
  find(objects, "Telemetry", "egress-gateway-access-logs").spec.accessLogging = [
    { providers: [{ name: provider }] },
  ];
  return objects;
}

describe("gateway-access-log-records-caller", () => {
  it("does not judge when no mesh config is among the objects", () => {
    assertRulePasses(compliantPlatform(), gatewayAccessLogRecordsCaller);
  });

  it("flags the built-in envoy provider when the istio ConfigMap is given", () => {
    const objects = [...loggingThrough("envoy"), istioConfigMap("accessLogFile: /dev/stdout\n")];
    const [f] = assertOnlyRuleFires(objects, gatewayAccessLogRecordsCaller);
    assert.match(f?.message ?? "", /built-in envoy provider, whose format has no caller identity/);
  });

  it("accepts a provider from the istio ConfigMap whose JSON labels record the caller", () => {
    const mesh = [
      "extensionProviders:",
      `  - name: ${PROVIDER}`,
      "    envoyFileAccessLog:",
      "      path: /dev/stdout",
      "      logFormat:",
      "        labels:",
      '          caller_identity: "%DOWNSTREAM_PEER_URI_SAN%"',
      '          sni: "%REQUESTED_SERVER_NAME%"',
    ].join("\n");
    assertRulePasses([...loggingThrough(PROVIDER), istioConfigMap(mesh)], gatewayAccessLogRecordsCaller);
  });

  it("flags a provider in an IstioOperator whose format leaves out the caller", () => {
    const provider = {
      name: PROVIDER,
      envoyFileAccessLog: { path: "/dev/stdout", logFormat: { labels: { sni: "%REQUESTED_SERVER_NAME%" } } },
    };
    const objects = [...loggingThrough(PROVIDER), istioOperator([provider])];
    const [f] = assertOnlyRuleFires(objects, gatewayAccessLogRecordsCaller);
    assert.match(f?.message ?? "", /"mesh-egress-gateway-json" does not record the caller/);
  });

  it("flags a Telemetry naming a provider the mesh config does not define", () => {
    const objects = [...loggingThrough("json-logs"), istioOperator([])];
    const [f] = assertOnlyRuleFires(objects, gatewayAccessLogRecordsCaller);
    assert.match(f?.message ?? "", /"json-logs" is not defined in meshConfig.extensionProviders/);
  });
});
