/**
 * Request headers that carry internal details (identities, pod name/namespace/IP, the tenant pod's
 * address, retry counts) and that the egress gateway must remove before a request leaves the cluster.
 */
export const INTERNAL_REQUEST_HEADERS: readonly string[] = [
  "x-forwarded-client-cert",
  "x-envoy-peer-metadata",
  "x-envoy-peer-metadata-id",
  "x-forwarded-for",
  "x-envoy-attempt-count",
];

/** The gateway pods' proxy config: no metadata-exchange headers outside the mesh, no attempt count. */
export const GATEWAY_PROXY_HEADERS = {
  metadataExchangeHeaders: { mode: "IN_MESH" },
  attemptCount: { disabled: true },
} as const;

/** Istio's pod annotation carrying ProxyConfig overrides for that pod's proxy. */
export const PROXY_CONFIG_ANNOTATION = "proxy.istio.io/config";
