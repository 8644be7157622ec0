import type { EgressConfig, ExternalServiceConfig } from "../stacks/model/egress-config";
import { routedServices } from "../stacks/relations/temporary-services";
import { ModePort, traitsOf } from "../stacks/routing-modes";

/** Port on which the gateway receives plain HTTP (wrapped in Istio mTLS) for the origination modes. */
export const GATEWAY_HTTP_PORT = 80;

/** The in-mesh address sidecars route egress to: the gateway chart's Service. */
export function gatewayServiceHost(config: EgressConfig): string {
  return `${config.gateway.releaseName}.${config.gateway.namespace}.svc.${config.cluster.domain}`;
}

/** The number of a port a routing mode names by its role. */
export function modePortNumber(service: ExternalServiceConfig, port: ModePort): number {
  return port === "gateway-http" ? GATEWAY_HTTP_PORT : service.port;
}

/** The gateway port a service's traffic arrives on from the sidecars. */
export function gatewayPortFor(service: ExternalServiceConfig): number {
  return modePortNumber(service, traitsOf(service).gatewayServer.port);
}

/** Every port the gateway listens on for egress, sorted: the chart's Service and the NetworkPolicies use it. */
export function gatewayListenerPorts(config: EgressConfig): number[] {
  return [...new Set(routedServices(config).map(gatewayPortFor))].sort((a, b) => a - b);
}
