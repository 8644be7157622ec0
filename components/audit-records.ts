/**
 * The recording rules `mesh-egress audit` reads for long windows: per tenant × destination, what each
 * counter of `AUDIT_COUNTERS` added since the previous evaluation. Summing them over any window gives
 * the window's total, a series that appeared once included, with refused traffic kept apart from
 * forwarded traffic exactly as the raw queries keep it.
 */
import { AUDIT_COUNTERS, AUDIT_QUERY_NAMES, auditCounterExpr, AuditQueryName } from "./audit-counters";
import type { GatewayWorkload } from "./egress-metrics";
import type { PrometheusRuleGroup } from "./observability";

/** The group's evaluation interval: each record covers the samples of one interval. */
export const AUDIT_RECORD_INTERVAL_MS = 60_000;
const AUDIT_RECORD_INTERVAL = `${AUDIT_RECORD_INTERVAL_MS / 60_000}m`;

/**
 * How far back a series' previous sample is looked for. A series with no sample that far back counts its
 * whole value (Envoy created it since); a scrape gap longer than this makes a counter count again.
 */
const PREVIOUS_SAMPLE_LOOKBACK = "1h";

/** Each list's record: `increment1m`, what its counters added in the evaluation's minute. */
export const AUDIT_RECORDS: Readonly<Record<AuditQueryName, string>> = {
  requests: "mesh_egress:gateway_forwarded_requests:increment1m",
  connections: "mesh_egress:gateway_forwarded_connections:increment1m",
  egressBytes: "mesh_egress:gateway_forwarded_bytes:increment1m",
  denials: "mesh_egress:gateway_forbidden_requests:increment1m",
  refusedRequests: "mesh_egress:gateway_refused_requests:increment1m",
  refusedConnections: "mesh_egress:gateway_refused_connections:increment1m",
  unregisteredConnections: "mesh_egress:unregistered_connections:increment1m",
  unregisteredRequests: "mesh_egress:unregistered_requests:increment1m",
};

/**
 * One sample per evaluation, always: the records hold samples only for minutes something was counted,
 * so this says since when (and how steadily) the rules ran. The version changes with what they count.
 */
export const AUDIT_RECORDS_EVALUATED = "mesh_egress:audit_records:evaluated";
export const AUDIT_RECORDS_VERSION = "1";

/**
 * What a counter added since the previous evaluation: its last sample in this interval less its last
 * sample before it; all of it when there is none before (a new series) or it fell (a reset). Range
 * vectors skip staleness markers, so a failed scrape does not make a counter count again.
 */
function incrementSincePreviousEvaluation(selector: string): string {
  const current = `last_over_time(${selector}[${AUDIT_RECORD_INTERVAL}])`;
  const previous = `last_over_time(${selector}[${PREVIOUS_SAMPLE_LOOKBACK}] offset ${AUDIT_RECORD_INTERVAL})`;
  return `(${current} - (${previous} <= ${current})) or ${current}`;
}

/** The audit records' rule group, evaluated every minute; minutes that added nothing record nothing. */
export function auditRecordGroup(gateway: GatewayWorkload): PrometheusRuleGroup {
  return {
    name: "mesh-egress.audit-records",
    interval: AUDIT_RECORD_INTERVAL,
    rules: [
      { record: AUDIT_RECORDS_EVALUATED, expr: "vector(1)", labels: { version: AUDIT_RECORDS_VERSION } },
      ...AUDIT_QUERY_NAMES.map((name) => ({
        record: AUDIT_RECORDS[name],
        expr: `${auditCounterExpr(AUDIT_COUNTERS[name], gateway, [], incrementSincePreviousEvaluation)} > 0`,
      })),
    ],
  };
}
