/**
 * The PromQL this project reads Istio 1.30's egress series with: one place for the recording rules,
 * alerts, dashboard and `mesh-egress audit`, so they cannot disagree on a metric or label name.
 *
 * Shapes relied on (istio-egress.md §5): the egress gateway reports as `reporter="source"` with
 * itself as `source_workload` and the external host as `destination_service_name`; the gateway's
 * Telemetry overrides `source_principal` with the caller's SPIFFE ID (the downstream peer
 * certificate), which is what attributes gateway series to a tenant. Unregistered hosts appear as
 * `BlackHoleCluster`/`PassthroughCluster` on the tenants' sidecars, not at the gateway.
 */

/** The gateway deployment whose series are read: its Helm release name and namespace. */
export interface GatewayWorkload {
  readonly namespace: string;
  readonly releaseName: string;
}

/** `rate` for alerts and dashboards, `increase` for totals over an audit window. */
export type CounterFunction = "rate" | "increase";

/** Destinations Istio reports for traffic to hosts no ServiceEntry registers. */
export const BLACK_HOLE_CLUSTER = "BlackHoleCluster";
export const PASSTHROUGH_CLUSTER = "PassthroughCluster";

/** Envoy's per-cluster TLS counters that mean the gateway could not (or would not) complete a handshake. */
export const UPSTREAM_TLS_FAILURE_COUNTERS = [
  "connection_error",
  "fail_verify_error",
  "fail_verify_san",
  "fail_verify_no_cert",
] as const;
export type UpstreamTlsFailure = (typeof UPSTREAM_TLS_FAILURE_COUNTERS)[number];

/** The global rate limit filter's `stat_prefix`. */
export const GLOBAL_RATE_LIMIT_STAT_PREFIX = "mesh_egress_global";

/**
 * The global rate limit filter's counters. Envoy names them `ratelimit.<stat_prefix>.<counter>` in the scope of
 * the request's route target cluster (filters/common/ratelimit/stat_names.h, createPoolStatName; http/ratelimit
 * ratelimit.cc increments them on cluster_->statsScope()).
 */
export const GLOBAL_RATE_LIMIT_COUNTERS = ["ok", "error", "over_limit", "failure_mode_allowed"] as const;
export type GlobalRateLimitCounter = (typeof GLOBAL_RATE_LIMIT_COUNTERS)[number];

/**
 * The gateway's `proxyStatsMatcher`: Envoy drops per-cluster stats unless included, and these are the
 * per-cluster ones the alerts and dashboard read. Istio names a cluster's stats with its alt_stat_name,
 * `<cluster>;` (cluster_builder.go, DelimitedStatsPrefix), so the full names are
 * `cluster.outbound|443||<host>;.ssl.<counter>` and `cluster.outbound|443||<host>;.ratelimit.<prefix>.<counter>`.
 */
export const PROXY_STATS_INCLUSION_REGEXPS: readonly string[] = [
  String.raw`cluster\.outbound\|.*\.ssl\.(handshake|${UPSTREAM_TLS_FAILURE_COUNTERS.join("|")})`,
  String.raw`cluster\.outbound\|.*\.ratelimit\.${GLOBAL_RATE_LIMIT_STAT_PREFIX}\.(${GLOBAL_RATE_LIMIT_COUNTERS.join("|")})`,
];

/**
 * Envoy response flags of a reply the proxy made itself, without the request reaching an upstream:
 * no route (NR) or cluster (NC), no healthy or reachable upstream (UH, UF), overflow (UO), rate
 * limited (RL, RLSE), external authorization denied (UAEX), filter chain not found (NFCF).
 */
export const LOCAL_REPLY_FLAGS = ["NR", "NC", "UH", "UF", "UO", "RL", "RLSE", "UAEX", "NFCF"] as const;

/** Istio's destination for a connection or request the gateway could not match to any service. */
export const UNKNOWN_DESTINATION = "unknown";

/** `response_flags` holds a comma-separated list ("-" when none): any local-reply flag in it counts. */
const LOCAL_REPLY = `(.*,)?(${LOCAL_REPLY_FLAGS.join("|")})(,.*)?`;

/** Gateway traffic that reached an upstream: not a 403, not a reply the gateway made itself, to a known service. */
export const FORWARDED = `response_code!="403", response_flags!~"${LOCAL_REPLY}", destination_service_name!="${UNKNOWN_DESTINATION}"`;
/** Gateway requests refused with a 403 (its AuthorizationPolicy, or the remote server: the labels do not tell). */
export const FORBIDDEN = `response_code="403"`;
/** What the gateway refused without any upstream, as alternatives: a local reply, or a destination it matched to nothing. */
export const REFUSED: readonly string[] = [
  `response_code!="403", response_flags=~"${LOCAL_REPLY}"`,
  `response_code!="403", destination_service_name="${UNKNOWN_DESTINATION}"`,
];
/** Sidecar traffic to hosts no ServiceEntry registers. */
export const UNREGISTERED = `destination_service_name=~"${BLACK_HOLE_CLUSTER}|${PASSTHROUGH_CLUSTER}"`;

/** The tenant is the namespace in the caller's SPIFFE ID; identity-less calls get an empty tenant. */
export const TENANT_FROM_PRINCIPAL = String.raw`"tenant", "$1", "source_principal", "spiffe://[^/]+/ns/([^/]+)/sa/.+"`;
export const TENANT_FROM_SIDECAR = String.raw`"tenant", "$1", "source_workload_namespace", "(.*)"`;

export function gatewayMatchers(gateway: GatewayWorkload): string {
  return `reporter="source", source_workload="${gateway.releaseName}", source_workload_namespace="${gateway.namespace}"`;
}

/** A counter at the gateway, per tenant and external host. */
function perTenantAndHost(
  gateway: GatewayWorkload,
  metric: string,
  extraMatchers: string,
  fn: CounterFunction,
  range: string,
): string {
  const selector = `${metric}{${gatewayMatchers(gateway)}${extraMatchers}}`;
  return `sum by (tenant, destination_service_name) (label_replace(${fn}(${selector}[${range}]), ${TENANT_FROM_PRINCIPAL}))`;
}

/** HTTP requests the gateway forwarded (origination modes), per tenant and host; 403s and local replies are not. */
export function gatewayRequests(gateway: GatewayWorkload, fn: CounterFunction, range: string): string {
  return perTenantAndHost(gateway, "istio_requests_total", `, ${FORWARDED}`, fn, range);
}

/** HTTP requests the gateway's AuthorizationPolicy refused (403), per tenant and host. */
export function gatewayDenials(gateway: GatewayWorkload, fn: CounterFunction, range: string): string {
  return perTenantAndHost(gateway, "istio_requests_total", `, ${FORBIDDEN}`, fn, range);
}

/** TCP connections (TLS modes) the gateway forwarded to the outside, per tenant and host; refused ones are not. */
export function gatewayConnections(gateway: GatewayWorkload, fn: CounterFunction, range: string): string {
  return perTenantAndHost(gateway, "istio_tcp_connections_opened_total", `, ${FORWARDED}`, fn, range);
}

/**
 * Bytes leaving the cluster through the gateway, per tenant and host: what the gateway *received*
 * from tenants (TCP modes), plus request bodies (HTTP modes), of forwarded traffic only (Istio
 * records request bytes of 403s and local replies too). A marker label keeps the two apart until
 * they are summed, so `or` cannot drop one for the other.
 */
export function gatewayEgressBytes(gateway: GatewayWorkload, fn: CounterFunction, range: string): string {
  const selector = (metric: string) => `${metric}{${gatewayMatchers(gateway)}, ${FORWARDED}}`;
  const marked = (metric: string, kind: string) =>
    `label_replace(${fn}(${selector(metric)}[${range}]), "bytes_kind", "${kind}", "", "")`;
  const both = `${marked("istio_tcp_received_bytes_total", "tcp")} or ${marked("istio_request_bytes_sum", "http")}`;
  return `sum by (tenant, destination_service_name) (label_replace(${both}, ${TENANT_FROM_PRINCIPAL}))`;
}

/** Sidecar traffic to the unregistered-host clusters, per tenant and cluster: TCP connections or HTTP requests. */
export function unregisteredTraffic(
  unit: "connections" | "requests",
  fn: CounterFunction,
  range: string,
): string {
  const metric = unit === "connections" ? "istio_tcp_connections_opened_total" : "istio_requests_total";
  const selector = `${metric}{reporter="source", ${UNREGISTERED}}`;
  return `sum by (tenant, destination_service_name) (label_replace(${fn}(${selector}[${range}]), ${TENANT_FROM_SIDECAR}))`;
}

/** One of Envoy's TLS failure counters for the gateway's outbound clusters, per external host. */
export function upstreamTlsFailures(
  gateway: GatewayWorkload,
  counter: UpstreamTlsFailure,
  fn: CounterFunction,
  range: string,
): string {
  const selector = String.raw`envoy_cluster_ssl_${counter}{namespace="${gateway.namespace}", cluster_name=~"outbound\\|.*"}`;
  const host = String.raw`"destination", "$1", "cluster_name", "outbound\\|[0-9]+\\|[^|]*\\|(.+)"`;
  return `sum by (destination) (label_replace(${fn}(${selector}[${range}]), ${host}))`;
}

/**
 * One of the global rate limit filter's counters at the gateway, summed over its clusters and replicas. Istio's
 * cluster_name tag (`^cluster(\.(.+);)`, its bootstrap's stats_tags) takes `.outbound|…|<host>;` out of the
 * name, so Prometheus sees `envoy_cluster_ratelimit_<prefix>_<counter>{cluster_name="outbound|…|<host>"}`.
 */
export function globalRateLimitCounter(
  gateway: GatewayWorkload,
  counter: GlobalRateLimitCounter,
  fn: CounterFunction,
  range: string,
): string {
  return `sum(${fn}(envoy_cluster_ratelimit_${GLOBAL_RATE_LIMIT_STAT_PREFIX}_${counter}{namespace="${gateway.namespace}"}[${range}]))`;
}

/**
 * Connections the gateway's network RBAC filter refused (TLS modes), summed over its replicas. Istio gives that
 * filter stat_prefix "tcp." (authz model.go, RBACTCPFilterStatPrefix), so Envoy counts `tcp.rbac.denied`, which
 * Istio's stats matcher keeps by default (bootstrap config.go: suffix rbac.denied). Istio's stats_tags then take
 * `rbac.` out as tcp_prefix (`^tcp\.((.*?)\.)\w+?$`) and `.denied` as authz_enforce_result
 * (`rbac(\.(allowed|denied))`), both matched on the full name, leaving `tcp.`: Prometheus sees
 * `envoy_tcp_{tcp_prefix="rbac", authz_enforce_result="denied"}`. The name regex also takes `envoy_tcp_rbac`,
 * in case a future bootstrap stops extracting tcp_prefix there. The counter is per process: no tenant, no host.
 */
export function gatewayTlsDenials(gateway: GatewayWorkload, fn: CounterFunction, range: string): string {
  return `sum(${fn}({__name__=~"envoy_tcp_(rbac)?", namespace="${gateway.namespace}", authz_enforce_result="denied"}[${range}]))`;
}

/** Ready gateway replicas, from kube-state-metrics. */
export function gatewayAvailableReplicas(gateway: GatewayWorkload): string {
  return `kube_deployment_status_replicas_available{namespace="${gateway.namespace}", deployment="${gateway.releaseName}"}`;
}
