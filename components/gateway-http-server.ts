import { COMPONENT_LABEL, GATEWAY_SELECTOR } from "../policy/contract";
import type { EgressConfig } from "../stacks/model/egress-config";
import { traitsOf } from "../stacks/routing-modes";
import { GATEWAY_HTTP_PORT } from "./gateway-endpoint";
import { KubernetesObject, ownedLabels } from "./kubernetes-object";
import { httpServices } from "./rate-limit-model";

/**
 * The gateway's one TLS-terminating HTTP server. Istio 1.30 builds one filter chain per
 * TLS-terminating Gateway server (pilot/pkg/networking/core/gateway.go, buildGatewayTCPBasedFilterChains),
 * and Envoy's HTTP local_ratelimit keeps its buckets per filter config, i.e. per chain (the HTTP filter
 * has no share_key). One server listing every HTTP host keeps one chain on the port, so the buckets are
 * the declared ones; routes, subsets and authorization stay per service.
 */

/** The shared Gateway every HTTP-mode VirtualService binds to. */
export function httpGatewayName(config: EgressConfig): string {
  return `${config.gateway.releaseName}-http`;
}

/** The namespace-qualified reference VirtualServices use in `gateways`. */
export function httpGatewayRef(config: EgressConfig): string {
  return `${config.gateway.namespace}/${httpGatewayName(config)}`;
}

/** The Gateway with one server on the gateway's HTTP port for every host the gateway sees as HTTP; none without such hosts. */
export function buildHttpGateway(config: EgressConfig): KubernetesObject | undefined {
  const services = httpServices(config);
  if (services.length === 0) return undefined;
  // Every HTTP mode shares these traits (the compiler checks the table); read them, never restate them.
  const { protocol, tls } = traitsOf(services[0]).gatewayServer;
  const hosts = [...new Set(services.flatMap((s) => s.hosts))].map((h) => `${config.gateway.namespace}/${h}`);
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "Gateway",
    metadata: {
      name: httpGatewayName(config),
      namespace: config.gateway.namespace,
      labels: ownedLabels({ [COMPONENT_LABEL]: "egress-gateway" }),
    },
    spec: {
      selector: { ...GATEWAY_SELECTOR },
      servers: [
        {
          port: {
            number: GATEWAY_HTTP_PORT,
            name: `${protocol.toLowerCase()}-${GATEWAY_HTTP_PORT}`,
            protocol,
          },
          hosts,
          tls: { mode: tls },
        },
      ],
    },
  };
}
