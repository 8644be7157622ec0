import type { EgressConfig } from "../stacks/model/egress-config";
import { DNS_PORT, GATEWAY_SELECTOR, NAMESPACE_NAME_LABEL } from "../policy/contract";
import { hostCidr } from "../stacks/schema/values/pinned-addresses";
import { gatewayListenerPorts } from "./gateway-endpoint";
import { istiodPodLabels } from "./mesh-injection";

/** The label Kubernetes puts on every namespace with its own name (1.22+). */

export function namespaceSelectorFor(namespace: string): { matchLabels: Record<string, string> } {
  return { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } };
}

/**
 * Namespaces tenants may not reach on every port: the control plane (istiod's plaintext 15010/15014), the
 * gateway and DNS keep their explicit, port-scoped rules; open-egress namespaces would make a relay.
 */
export function namespacesClosedToTenants(config: EgressConfig): string[] {
  return [
    ...new Set([
      config.controlPlane.namespace,
      config.gateway.namespace,
      config.cluster.dns.namespace,
      ...config.cluster.openEgressNamespaces,
    ]),
  ].sort();
}

/** In-cluster pods on any port, except in the namespaces closed to tenants. No ipBlock: nothing outside the cluster. */
export function inClusterEgressRule(config: EgressConfig): Record<string, unknown> {
  return {
    to: [
      {
        namespaceSelector: {
          matchExpressions: [
            { key: NAMESPACE_NAME_LABEL, operator: "NotIn", values: namespacesClosedToTenants(config) },
          ],
        },
      },
    ],
  };
}

/**
 * Egress to the cluster DNS on 53/UDP and 53/TCP: its pods, and each node-local cache address by ipBlock
 * (a host-network agent is no pod a selector can match).
 */
export function dnsEgressRule(config: EgressConfig): Record<string, unknown> {
  const { dns } = config.cluster;
  return {
    to: [
      {
        namespaceSelector: namespaceSelectorFor(dns.namespace),
        podSelector: { matchLabels: { ...dns.podLabels } },
      },
      ...dns.nodeLocalAddresses.map((address) => ({ ipBlock: { cidr: hostCidr(address) } })),
    ],
    ports: [
      { protocol: "UDP", port: DNS_PORT },
      { protocol: "TCP", port: DNS_PORT },
    ],
  };
}

/** Egress to istiod's xDS and certificate port, which every proxy needs. */
export function istiodEgressRule(config: EgressConfig): Record<string, unknown> {
  return {
    to: [
      {
        namespaceSelector: namespaceSelectorFor(config.controlPlane.namespace),
        podSelector: { matchLabels: istiodPodLabels(config) },
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
