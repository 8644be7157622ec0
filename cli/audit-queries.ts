import {
  AUDIT_COUNTERS,
  AUDIT_QUERY_NAMES,
  auditCounterExpr,
  AuditQueryName,
} from "../components/audit-counters";
import type { GatewayWorkload } from "../components/egress-metrics";

/** Where the audit reads from: the window's end is the query's evaluation time. */
export interface AuditScope {
  readonly gateway: GatewayWorkload;
  /** Extra label matchers every selector carries (`cluster="prod-eu"`): one cluster of a shared Prometheus. */
  readonly matchers: readonly string[];
}

/**
 * A counter's total over the window, per series: `increase()` for series that existed when the window
 * began; for series that start inside it (Envoy creates a counter on its first event), their highest
 * value, so a counter that appears once and never rises still counts its events.
 */
function totalInWindow(selector: string, window: string): string {
  return `(max_over_time(${selector}[${window}]) unless ${selector} offset ${window}) or increase(${selector}[${window}])`;
}

/**
 * The audit's PromQL on raw Istio series, one query a name. Refused traffic (403s, local replies,
 * unknown destinations) is kept out of the requests, connections and bytes that count as egress.
 */
export function auditQueries(scope: AuditScope, window: string): Record<AuditQueryName, string> {
  return Object.fromEntries(
    AUDIT_QUERY_NAMES.map((name) => [
      name,
      auditCounterExpr(AUDIT_COUNTERS[name], scope.gateway, scope.matchers, (s) => totalInWindow(s, window)),
    ]),
  ) as Record<AuditQueryName, string>;
}
