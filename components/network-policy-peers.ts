import type { EgressConfig } from "../stacks/egress-config";
import { GATEWAY_SELECTOR } from "../policy/contract";
import { gatewayListenerPorts } from "./gateway-endpoint";

/** The label Kubernetes puts on every namespace with its own name (1.22+). */
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

export function namespaceSelectorFor(namespace: string): { matchLabels: Record<string, string> } {
  return { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } };
}

/** Egress to the cluster DNS on 53/UDP and 53/TCP. */
export function dnsEgressRule(config: EgressConfig): Record<string, unknown> {
  return {
    to: [
      {
        namespaceSelector: namespaceSelectorFor(config.cluster.dns.namespace),
        podSelector: { matchLabels: { ...config.cluster.dns.podLabels } },
      },
    ],
    ports: [
      { protocol: "UDP", port: 53 },
      { protocol: "TCP", port: 53 },
    ],
  };
}

/** Egress to istiod's xDS and certificate port, which every proxy needs. */
export function istiodEgressRule(config: EgressConfig): Record<string, unknown> {
  return {
    to: [
      {
        namespaceSelector: namespaceSelectorFor(config.controlPlane.namespace),
        podSelector: { matchLabels: { app: "istiod" } },
      },
    ],
    ports: [{ protocol: "TCP", port: 15012 }],
  };
}

/** Egress to the gateway pods on the ports they listen on for egress. */
export function gatewayEgressRule(config: EgressConfig): Record<string, unknown> {
  return {
    to: [
      {
        namespaceSelector: namespaceSelectorFor(config.gateway.namespace),
        podSelector: { matchLabels: { ...GATEWAY_SELECTOR } },
      },
    ],
    ports: gatewayListenerPorts(config).map((port) => ({ protocol: "TCP", port })),
  };
}
