/**
 * Ports the Envoy proxy of every Istio gateway pod already binds (admin, listeners, health, metrics,
 * DNS, HBONE): an external service's port must not be one of these, or its listener collides with them.
 */
export const ISTIO_PROXY_PORTS: Readonly<Record<number, string>> = {
  15000: "Envoy admin",
  15001: "outbound capture",
  15004: "debug",
  15006: "inbound capture",
  15008: "HBONE tunnel",
  15009: "HBONE (plaintext)",
  15020: "merged metrics",
  15021: "health checks",
  15053: "DNS proxy",
  15090: "Envoy Prometheus telemetry",
};
