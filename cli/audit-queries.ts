import {
  BLACK_HOLE_CLUSTER,
  gatewayMatchers,
  GatewayWorkload,
  PASSTHROUGH_CLUSTER,
  TENANT_FROM_PRINCIPAL,
  TENANT_FROM_SIDECAR,
} from "../components/egress-metrics";

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

/** Where the audit reads from and up to when: the window's end is the query's evaluation time. */
export interface AuditScope {
  readonly gateway: GatewayWorkload;
  /** Extra label matchers every selector carries (`cluster="prod-eu"`): one cluster of a shared Prometheus. */
  readonly matchers: readonly string[];
}

/** Everything the audit reads, by what it fills. */
export type AuditQueryName =
  | "requests"
  | "connections"
  | "egressBytes"
  | "denials"
  | "refusedRequests"
  | "refusedConnections"
  | "unregisteredConnections"
  | "unregisteredRequests";

/**
 * A counter's total over the window, per series: `increase()` for series that existed when the window
 * began; for series that start inside it (Envoy creates a counter on its first event), their highest
 * value, so a counter that appears once and never rises still counts its events.
 */
function totalInWindow(selector: string, window: string): string {
  return `(max_over_time(${selector}[${window}]) unless ${selector} offset ${window}) or increase(${selector}[${window}])`;
}

function withMatchers(base: string, extra: string, scope: AuditScope): string {
  return [base, extra, ...scope.matchers].filter((m) => m !== "").join(", ");
}

const gatewaySelector = (scope: AuditScope, metric: string, extra: string) =>
  `${metric}{${withMatchers(gatewayMatchers(scope.gateway), extra, scope)}}`;

/** Per-series totals summed per tenant and host (and `by`); `selectors` are alternatives, a series counted once. */
function atGateway(selectors: readonly string[], window: string, by: readonly string[] = []): string {
  const totals = selectors.map((s) => `(${totalInWindow(s, window)})`).join(" or ");
  const labels = ["tenant", "destination_service_name", ...by].join(", ");
  return `sum by (${labels}) (label_replace(${totals}, ${TENANT_FROM_PRINCIPAL}))`;
}

/** Traffic that reached an upstream: not a 403, not a reply the gateway made itself, to a known service. */
const REACHED_UPSTREAM = `response_code!="403", response_flags!~"${LOCAL_REPLY}", destination_service_name!="${UNKNOWN_DESTINATION}"`;
/** What the gateway refused without any upstream: a local reply, or a destination it matched to nothing. */
const REFUSED = [
  `response_code!="403", response_flags=~"${LOCAL_REPLY}"`,
  `response_code!="403", destination_service_name="${UNKNOWN_DESTINATION}"`,
];

/**
 * The audit's PromQL, one query a name. Refused traffic (403s, local replies, unknown destinations)
 * is kept out of the requests, connections and bytes that count as egress.
 */
export function auditQueries(scope: AuditScope, window: string): Record<AuditQueryName, string> {
  const refused = (metric: string) =>
    atGateway(
      REFUSED.map((extra) => gatewaySelector(scope, metric, extra)),
      window,
      ["response_flags"],
    );
  const reached = (metric: string) => atGateway([gatewaySelector(scope, metric, REACHED_UPSTREAM)], window);
  const unregistered = (metric: string, by: string) => {
    const selector = `${metric}{${withMatchers(`reporter="source", destination_service_name=~"${BLACK_HOLE_CLUSTER}|${PASSTHROUGH_CLUSTER}"`, "", scope)}}`;
    return `sum by (tenant, destination_service_name${by}) (label_replace(${totalInWindow(selector, window)}, ${TENANT_FROM_SIDECAR}))`;
  };
  const bytes = (metric: string, kind: string) =>
    `label_replace(${reached(metric)}, "bytes_kind", "${kind}", "", "")`;
  return {
    requests: reached("istio_requests_total"),
    connections: reached("istio_tcp_connections_opened_total"),
    // Bytes received from tenants (TCP) plus request bodies (HTTP), kept apart until summed so `or` drops neither.
    egressBytes: `sum by (tenant, destination_service_name) (${bytes("istio_tcp_received_bytes_total", "tcp")} or ${bytes("istio_request_bytes_sum", "http")})`,
    denials: atGateway([gatewaySelector(scope, "istio_requests_total", `response_code="403"`)], window),
    refusedRequests: refused("istio_requests_total"),
    refusedConnections: refused("istio_tcp_connections_opened_total"),
    unregisteredConnections: unregistered("istio_tcp_connections_opened_total", ""),
    // HTTP through PassthroughCluster carries the Host in destination_service: the audit shows it.
    unregisteredRequests: unregistered("istio_requests_total", ", destination_service"),
  };
}
