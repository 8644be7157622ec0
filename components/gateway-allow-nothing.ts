import { COMPONENT_LABEL, GATEWAY_SELECTOR } from "../policy/contract";
import type { EgressConfig } from "../stacks/model/egress-config";
import { KubernetesObject, ownedLabels } from "./kubernetes-object";

/**
 * Istio's allow-nothing policy at the gateway (ALLOW with no rules), for a stack that grants nothing
 * (no tenants, or only empty allow lists): without any ALLOW policy Istio would let every workload
 * use the gateway. Undefined when some tenant is granted a service: its own policies keep the deny.
 */
export function gatewayAllowNothingPolicy(config: EgressConfig): KubernetesObject | undefined {
  if (config.grants.inForce.some((grant) => grant.source.kind === "allow")) return undefined;
  return {
    apiVersion: "security.istio.io/v1",
    kind: "AuthorizationPolicy",
    metadata: {
      name: `${config.gateway.releaseName}-allow-nothing`,
      namespace: config.gateway.namespace,
      labels: ownedLabels({ [COMPONENT_LABEL]: "egress-gateway" }),
    },
    spec: { selector: { matchLabels: { ...GATEWAY_SELECTOR } }, action: "ALLOW" },
  };
}
