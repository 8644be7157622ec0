import * as assert from "node:assert/strict";
import { meshConfigForAccessLog } from "../../components/gateway-access-log";
import { KubernetesObject } from "../contract";
import { gatewayServiceClusterLocal } from "../rules/gateway-integrity/gateway-service-cluster-local";
import { compliantPlatform, GATEWAY_CLUSTER_LOCAL, GATEWAY_NS } from "./compliant-platform";
import { assertOnlyRuleFires, assertRulePasses } from "./rule-harness";

/** An istiod release that passes every other istiod rule (access-log provider included); only its serviceSettings vary. */
const istiod = (serviceSettings: unknown): KubernetesObject => ({
  apiVersion: "helm.toolkit.fluxcd.io/v2",
  kind: "HelmRelease",
  metadata: { name: "istiod", namespace: "istio-system" },
  spec: {
    chart: { spec: { chart: "istiod", version: "1.30.3" } },
    values: {
      env: { PILOT_SCOPE_GATEWAY_TO_NAMESPACE: "true" },
      meshConfig: {
        outboundTrafficPolicy: { mode: "REGISTRY_ONLY" },
        serviceSettings,
        ...meshConfigForAccessLog(),
      },
    },
  },
});

describe("gateway-service-cluster-local", () => {
  it("accepts istiod marking the gateway Service cluster-local by its exact name", () => {
    assertRulePasses([...compliantPlatform(), istiod(GATEWAY_CLUSTER_LOCAL)], gatewayServiceClusterLocal);
  });

  it("accepts a namespace wildcard covering the gateway Service", () => {
    const settings = [{ settings: { clusterLocal: true }, hosts: [`*.${GATEWAY_NS}.svc.cluster.local`] }];
    assertRulePasses([...compliantPlatform(), istiod(settings)], gatewayServiceClusterLocal);
  });

  it("has nothing to judge when the stack does not install istiod (a documented prerequisite then)", () => {
    assertRulePasses(compliantPlatform(), gatewayServiceClusterLocal);
  });

  it("flags istiod without serviceSettings, naming the gateway Service and the fix", () => {
    const [f] = assertOnlyRuleFires([...compliantPlatform(), istiod(undefined)], gatewayServiceClusterLocal);
    assert.equal(f?.name, "istiod");
    assert.match(
      f?.message ?? "",
      /istio-egressgateway\.istio-egress\.svc\.cluster\.local cluster-local.*Fix: add values\.meshConfig\.serviceSettings/,
    );
  });

  it("flags settings that cover another host or leave clusterLocal false", () => {
    const otherHost = [{ settings: { clusterLocal: true }, hosts: ["*.payments.svc.cluster.local"] }];
    const notLocal = [{ settings: { clusterLocal: false }, hosts: GATEWAY_CLUSTER_LOCAL[0]!.hosts }];
    assertOnlyRuleFires([...compliantPlatform(), istiod(otherHost)], gatewayServiceClusterLocal);
    assertOnlyRuleFires([...compliantPlatform(), istiod(notLocal)], gatewayServiceClusterLocal);
  });
});
