/**
 * What `mesh-egress audit` counts, one entry per list it fills: which counter series, where they are
 * reported, and which labels keep them apart. The audit's raw queries and the audit records (the
 * recording rules it reads for long windows) are both built from this table, so they cannot classify
 * traffic differently.
 */
import {
  FORBIDDEN,
  FORWARDED,
  gatewayMatchers,
  GatewayWorkload,
  REFUSED,
  TENANT_FROM_PRINCIPAL,
  TENANT_FROM_SIDECAR,
  UNREGISTERED,
} from "./egress-metrics";

/** Everything the audit reads, by the list it fills. */
export type AuditQueryName =
  | "requests"
  | "connections"
  | "egressBytes"
  | "denials"
  | "refusedRequests"
  | "refusedConnections"
  | "unregisteredConnections"
  | "unregisteredRequests";

/** One metric's series; a series matching several alternatives is counted once. */
interface CounterSeries {
  readonly metric: string;
  readonly alternatives: readonly string[];
}

export interface AuditCounter {
  /** The gateway's series (tenant from the caller's SPIFFE ID) or the tenants' sidecars' (tenant from their namespace). */
  readonly at: "gateway" | "sidecar";
  /** Summed: each metric is kept apart by a marker label until the sum, so `or` drops none of them. */
  readonly series: readonly CounterSeries[];
  /** Labels kept besides `tenant` and `destination_service_name`. */
  readonly by: readonly string[];
}

const one = (metric: string, ...alternatives: string[]): CounterSeries[] => [{ metric, alternatives }];

/** Refused traffic (403s, local replies, unknown destinations) is kept out of requests, connections and bytes. */
export const AUDIT_COUNTERS: Readonly<Record<AuditQueryName, AuditCounter>> = {
  requests: { at: "gateway", series: one("istio_requests_total", FORWARDED), by: [] },
  connections: { at: "gateway", series: one("istio_tcp_connections_opened_total", FORWARDED), by: [] },
  // Bytes received from tenants (TCP) plus request bodies (HTTP).
  egressBytes: {
    at: "gateway",
    series: [
      ...one("istio_tcp_received_bytes_total", FORWARDED),
      ...one("istio_request_bytes_sum", FORWARDED),
    ],
    by: [],
  },
  denials: { at: "gateway", series: one("istio_requests_total", FORBIDDEN), by: [] },
  refusedRequests: {
    at: "gateway",
    series: one("istio_requests_total", ...REFUSED),
    by: ["response_flags"],
  },
  refusedConnections: {
    at: "gateway",
    series: one("istio_tcp_connections_opened_total", ...REFUSED),
    by: ["response_flags"],
  },
  unregisteredConnections: {
    at: "sidecar",
    series: one("istio_tcp_connections_opened_total", UNREGISTERED),
    by: [],
  },
  // HTTP through PassthroughCluster carries the Host in destination_service: the audit shows it.
  unregisteredRequests: {
    at: "sidecar",
    series: one("istio_requests_total", UNREGISTERED),
    by: ["destination_service"],
  },
};

export const AUDIT_QUERY_NAMES = Object.keys(AUDIT_COUNTERS) as AuditQueryName[];

/** The labels a counter's results carry: tenant, destination and its own. */
export const auditCounterLabels = (counter: AuditCounter): string[] => [
  "tenant",
  "destination_service_name",
  ...counter.by,
];

/**
 * One counter as PromQL: `perSeries` turns a selector into an amount per series (a window's total, or
 * what the counter added since the previous rule evaluation), summed per tenant, destination and `by`.
 * `matchers` (`cluster="prod-eu"`) are added to every selector.
 */
export function auditCounterExpr(
  counter: AuditCounter,
  gateway: GatewayWorkload,
  matchers: readonly string[],
  perSeries: (selector: string) => string,
): string {
  const base = counter.at === "gateway" ? gatewayMatchers(gateway) : `reporter="source"`;
  const amounts = ({ metric, alternatives }: CounterSeries) =>
    alternatives.map((m) => `(${perSeries(`${metric}{${[base, m, ...matchers].join(", ")}}`)})`).join(" or ");
  const summed =
    counter.series.length === 1
      ? amounts(counter.series[0])
      : counter.series
          .map((s) => `label_replace(${amounts(s)}, "counted_metric", "${s.metric}", "", "")`)
          .join(" or ");
  const tenant = counter.at === "gateway" ? TENANT_FROM_PRINCIPAL : TENANT_FROM_SIDECAR;
  return `sum by (${auditCounterLabels(counter).join(", ")}) (label_replace(${summed}, ${tenant}))`;
}
