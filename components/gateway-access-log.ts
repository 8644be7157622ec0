/**
 * The gateway's access log: a named mesh extension provider, because the built-in `envoy` provider's
 * text format has no caller identity and `meshConfig.accessLogFormat` does not apply to it.
 */

/** The name the gateway's Telemetry references, and the mesh config must define. */
export const ACCESS_LOG_PROVIDER_NAME = "mesh-egress-gateway-json";

/** Where the gateway's Envoy writes the log: stdout, collected with the pod's logs. */
export const ACCESS_LOG_PATH = "/dev/stdout";

/** JSON keys of each log line and the Envoy command operators that fill them (README "Access logs"). */
export const ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
  start_time: "%START_TIME%",
  caller_identity: "%DOWNSTREAM_PEER_URI_SAN%",
  source_address: "%DOWNSTREAM_REMOTE_ADDRESS%",
  sni: "%REQUESTED_SERVER_NAME%",
  authority: "%REQ(:AUTHORITY)%",
  method: "%REQ(:METHOD)%",
  path: "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%",
  route_name: "%ROUTE_NAME%",
  upstream_host: "%UPSTREAM_HOST%",
  upstream_cluster: "%UPSTREAM_CLUSTER%",
  response_code: "%RESPONSE_CODE%",
  response_flags: "%RESPONSE_FLAGS%",
  response_code_details: "%RESPONSE_CODE_DETAILS%",
  connection_termination_details: "%CONNECTION_TERMINATION_DETAILS%",
  upstream_transport_failure_reason: "%UPSTREAM_TRANSPORT_FAILURE_REASON%",
  bytes_received: "%BYTES_RECEIVED%",
  bytes_sent: "%BYTES_SENT%",
  duration_ms: "%DURATION%",
};

/** The `meshConfig.extensionProviders` entry (Istio MeshConfig.ExtensionProvider.EnvoyFileAccessLogProvider). */
export function accessLogExtensionProvider(): Record<string, unknown> {
  return {
    name: ACCESS_LOG_PROVIDER_NAME,
    envoyFileAccessLog: { path: ACCESS_LOG_PATH, logFormat: { labels: { ...ACCESS_LOG_FIELDS } } },
  };
}

/** The mesh config a cluster's istiod needs for the gateway's Telemetry to log anything. */
export function meshConfigForAccessLog(): Record<string, unknown> {
  return { extensionProviders: [accessLogExtensionProvider()] };
}
