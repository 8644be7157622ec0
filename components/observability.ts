import {
  BLACK_HOLE_CLUSTER,
  gatewayAvailableReplicas,
  gatewayConnections,
  gatewayDenials,
  gatewayEgressBytes,
  gatewayRequests,
  gatewayTlsDenials,
  GatewayWorkload,
  PASSTHROUGH_CLUSTER,
  unregisteredTraffic,
  UPSTREAM_TLS_FAILURE_COUNTERS,
  upstreamTlsFailures,
} from "./egress-metrics";
import { COMPONENT_LABEL, GATEWAY_SELECTOR } from "../policy/contract";
import { KubernetesObject, ownedLabels } from "./kubernetes-object";
import { runbook } from "./runbooks";

/** What the observability objects read from the validated config, and nothing more. */
export interface ObservabilityInputs {
  readonly gateway: GatewayWorkload & { readonly minReplicas: number };
  /** Tenant namespaces whose sidecars are scraped for traffic to unregistered hosts. */
  readonly tenantNamespaces: readonly string[];
}

/** A Prometheus recording rule or alert, as the Prometheus Operator's PrometheusRule holds it. */
export type PrometheusRuleEntry =
  | { readonly record: string; readonly expr: string; readonly labels?: Record<string, string> }
  | {
      readonly alert: string;
      readonly expr: string;
      readonly for: string;
      readonly labels: { readonly severity: "critical" | "warning" } & Record<string, string>;
      readonly annotations: {
        readonly summary: string;
        readonly description: string;
        readonly runbook_url: string;
      };
    };

export interface PrometheusRuleGroup {
  readonly name: string;
  /** How often Prometheus evaluates the group; its global evaluation_interval when absent. */
  readonly interval?: string;
  readonly rules: readonly PrometheusRuleEntry[];
}

/** Grafana's dashboard sidecar (kube-prometheus-stack, grafana chart) loads ConfigMaps carrying this label. */
export const GRAFANA_DASHBOARD_LABEL = "grafana_dashboard";

export { RUNBOOKS_DOCUMENT } from "./runbooks";

/** Floors under which "above baseline" alerts stay quiet: noise, not incidents. */
const DENIALS_FLOOR_PER_SECOND = 0.1;
const DENIALS_FACTOR = 3;
const EGRESS_BYTES_FLOOR_PER_SECOND = 100 * 1024;
const EGRESS_BYTES_FACTOR = 5;

const labels = () => ownedLabels({ [COMPONENT_LABEL]: "observability" });

/**
 * Recorded rates, read by the alerts. Requests, connections and bytes are forwarded traffic only (403s,
 * local replies and unknown destinations are not egress); `mesh-egress audit` reads its own records
 * (components/audit-records.ts), since a rate loses a counter that appears once and never rises.
 */
export const RECORDED = {
  requests: "mesh_egress:gateway_requests:rate5m",
  denials: "mesh_egress:gateway_denials:rate5m",
  connections: "mesh_egress:gateway_connections:rate5m",
  egressBytes: "mesh_egress:gateway_egress_bytes:rate5m",
  tenantDenials: "mesh_egress:tenant_denials:rate5m",
  tenantEgressBytes: "mesh_egress:tenant_egress_bytes:rate5m",
  unregisteredConnections: "mesh_egress:unregistered_connections:rate5m",
  unregisteredRequests: "mesh_egress:unregistered_requests:rate5m",
  upstreamTlsFailures: "mesh_egress:upstream_tls_failures:rate5m",
  tlsDenials: "mesh_egress:gateway_tls_denials:rate5m",
} as const;

export function observabilityInputs(config: {
  readonly gateway: {
    readonly namespace: string;
    readonly releaseName: string;
    readonly replicas: { readonly min: number };
  };
  readonly tenants: readonly { readonly namespace: string }[];
}): ObservabilityInputs {
  return {
    gateway: {
      namespace: config.gateway.namespace,
      releaseName: config.gateway.releaseName,
      minReplicas: config.gateway.replicas.min,
    },
    tenantNamespaces: config.tenants.map((t) => t.namespace),
  };
}

/** Per-tenant and per-destination series the alerts, dashboard and audit share. */
export function egressRecordingRules(inputs: ObservabilityInputs): PrometheusRuleGroup {
  const gw = inputs.gateway;
  return {
    name: "mesh-egress.recording",
    rules: [
      { record: RECORDED.requests, expr: gatewayRequests(gw, "rate", "5m") },
      { record: RECORDED.denials, expr: gatewayDenials(gw, "rate", "5m") },
      { record: RECORDED.connections, expr: gatewayConnections(gw, "rate", "5m") },
      { record: RECORDED.egressBytes, expr: gatewayEgressBytes(gw, "rate", "5m") },
      { record: RECORDED.tenantDenials, expr: `sum by (tenant) (${RECORDED.denials})` },
      { record: RECORDED.tlsDenials, expr: gatewayTlsDenials(gw, "rate", "5m") },
      { record: RECORDED.tenantEgressBytes, expr: `sum by (tenant) (${RECORDED.egressBytes})` },
      { record: RECORDED.unregisteredConnections, expr: unregisteredTraffic("connections", "rate", "5m") },
      { record: RECORDED.unregisteredRequests, expr: unregisteredTraffic("requests", "rate", "5m") },
      ...UPSTREAM_TLS_FAILURE_COUNTERS.map((counter) => ({
        record: RECORDED.upstreamTlsFailures,
        expr: upstreamTlsFailures(gw, counter, "rate", "5m"),
        labels: { reason: counter },
      })),
    ],
  };
}

/**
 * Fires above a floor when a tenant's rate is more than `factor` times its own average over the
 * previous day; a tenant with no history yet is judged on the floor alone.
 */
function aboveOwnBaseline(series: string, floor: number, factor: number): string {
  return `${series} > ${floor} unless ${series} <= ${factor} * avg_over_time(${series}[1d] offset 1h)`;
}

/** The egress alerts; each has a severity, a summary naming its tenant or destination, and a runbook. */
export function egressAlertRules(inputs: ObservabilityInputs): PrometheusRuleGroup {
  const gw = inputs.gateway;
  const unregistered = (cluster: string) =>
    `sum by (tenant, destination_service_name) ({__name__=~"${RECORDED.unregisteredConnections}|${RECORDED.unregisteredRequests}", destination_service_name="${cluster}"}) > 0`;
  return {
    name: "mesh-egress.alerts",
    rules: [
      {
        alert: "MeshEgressDenialsRising",
        expr: aboveOwnBaseline(RECORDED.tenantDenials, DENIALS_FLOOR_PER_SECOND, DENIALS_FACTOR),
        for: "10m",
        labels: { severity: "warning" },
        annotations: {
          summary: "Tenant {{ $labels.tenant }} is being denied at the egress gateway",
          description: `{{ $value | humanize }} denied requests/s from tenant {{ $labels.tenant }}, over ${DENIALS_FACTOR}x its own rate of the previous day.`,
          runbook_url: runbook("meshegressdenialsrising"),
        },
      },
      {
        alert: "MeshEgressTlsDenialsRising",
        expr: aboveOwnBaseline(RECORDED.tlsDenials, DENIALS_FLOOR_PER_SECOND, DENIALS_FACTOR),
        for: "10m",
        labels: { severity: "warning" },
        annotations: {
          summary: `Egress gateway ${gw.namespace}/${gw.releaseName} is refusing TLS connections`,
          description: `{{ $value | humanize }} connections/s refused by the gateway's network RBAC filter (TLS modes), over ${DENIALS_FACTOR}x its own rate of the previous day. Envoy counts these per gateway process: the access log says which tenant and host.`,
          runbook_url: runbook("meshegresstlsdenialsrising"),
        },
      },
      {
        alert: "MeshEgressBlackHoleTraffic",
        expr: unregistered(BLACK_HOLE_CLUSTER),
        for: "5m",
        labels: { severity: "warning" },
        annotations: {
          summary: "Tenant {{ $labels.tenant }} is calling hosts that are not registered for egress",
          description:
            "Sidecars in {{ $labels.tenant }} send traffic to BlackHoleCluster: the calls are dropped (REGISTRY_ONLY), but something there tries to reach an undeclared destination.",
          runbook_url: runbook("meshegressblackholetraffic"),
        },
      },
      {
        alert: "MeshEgressPassthroughTraffic",
        expr: unregistered(PASSTHROUGH_CLUSTER),
        for: "1m",
        labels: { severity: "critical" },
        annotations: {
          summary:
            "Tenant {{ $labels.tenant }} reaches unregistered hosts directly: the mesh is not REGISTRY_ONLY",
          description:
            "Sidecars in {{ $labels.tenant }} send traffic to PassthroughCluster, which exists only when outbound traffic is ALLOW_ANY: egress is leaving without the gateway.",
          runbook_url: runbook("meshegresspassthroughtraffic"),
        },
      },
      {
        alert: "MeshEgressUpstreamTlsFailures",
        expr: `sum by (destination, reason) (${RECORDED.upstreamTlsFailures}) > 0`,
        for: "10m",
        labels: { severity: "warning" },
        annotations: {
          summary: "TLS {{ $labels.reason }} from the egress gateway to {{ $labels.destination }}",
          description:
            "The gateway fails to establish or verify TLS to {{ $labels.destination }} ({{ $labels.reason }}, {{ $value | humanize }}/s): a rotated server certificate, a wrong SAN or CA bundle, or an interception.",
          runbook_url: runbook("meshegressupstreamtlsfailures"),
        },
      },
      {
        alert: "MeshEgressTenantEgressAboveBaseline",
        expr: aboveOwnBaseline(
          RECORDED.tenantEgressBytes,
          EGRESS_BYTES_FLOOR_PER_SECOND,
          EGRESS_BYTES_FACTOR,
        ),
        for: "15m",
        labels: { severity: "warning" },
        annotations: {
          summary: "Tenant {{ $labels.tenant }} sends far more data out of the cluster than usual",
          description: `{{ $value | humanize1024 }}B/s leave the cluster from tenant {{ $labels.tenant }} through the gateway, over ${EGRESS_BYTES_FACTOR}x its own rate of the previous day.`,
          runbook_url: runbook("meshegresstenantegressabovebaseline"),
        },
      },
      {
        alert: "MeshEgressGatewayBelowMinReplicas",
        expr: `${gatewayAvailableReplicas(gw)} < ${gw.minReplicas}`,
        for: "5m",
        labels: { severity: "critical" },
        annotations: {
          summary: `Egress gateway ${gw.namespace}/${gw.releaseName} has {{ $value }} ready replicas, below its minimum of ${gw.minReplicas}`,
          description:
            "Every external call of every tenant crosses these pods: below the minimum, a zone or node loss stops egress.",
          runbook_url: runbook("meshegressgatewaybelowminreplicas"),
        },
      },
    ],
  };
}

/** The rule groups the PrometheusRule carries; rate limits and break-glass append their own. */
export function egressRuleGroups(inputs: ObservabilityInputs): PrometheusRuleGroup[] {
  return [egressRecordingRules(inputs), egressAlertRules(inputs)];
}

export function prometheusRule(
  inputs: ObservabilityInputs,
  groups: readonly PrometheusRuleGroup[],
): KubernetesObject {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: { name: "mesh-egress", namespace: inputs.gateway.namespace, labels: labels() },
    spec: {
      groups: groups.map((g) => ({
        name: g.name,
        ...(g.interval ? { interval: g.interval } : {}),
        rules: g.rules.map((r) => ({ ...r })),
      })),
    },
  };
}

/** Envoy's Prometheus endpoint on every istio-proxy (gateway and sidecar): port 15090. */
const ENVOY_METRICS_ENDPOINT = { port: "http-envoy-prom", path: "/stats/prometheus", interval: "30s" };

function gatewayPodMonitor(inputs: ObservabilityInputs): KubernetesObject {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PodMonitor",
    metadata: { name: inputs.gateway.releaseName, namespace: inputs.gateway.namespace, labels: labels() },
    spec: {
      selector: { matchLabels: { ...GATEWAY_SELECTOR } },
      namespaceSelector: { matchNames: [inputs.gateway.namespace] },
      podMetricsEndpoints: [{ ...ENVOY_METRICS_ENDPOINT }],
    },
  };
}

/** Tenants' sidecars, for BlackHole/Passthrough traffic only: nothing else of theirs is read. */
function tenantSidecarPodMonitor(inputs: ObservabilityInputs): KubernetesObject {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PodMonitor",
    metadata: { name: "mesh-egress-tenant-sidecars", namespace: inputs.gateway.namespace, labels: labels() },
    spec: {
      selector: { matchExpressions: [{ key: "security.istio.io/tlsMode", operator: "Exists" }] },
      namespaceSelector: { matchNames: [...inputs.tenantNamespaces] },
      podMetricsEndpoints: [
        {
          ...ENVOY_METRICS_ENDPOINT,
          metricRelabelings: [
            {
              sourceLabels: ["destination_service_name"],
              regex: `${BLACK_HOLE_CLUSTER}|${PASSTHROUGH_CLUSTER}`,
              action: "keep",
            },
          ],
        },
      ],
    },
  };
}

/** One dashboard query: its panel title, the PromQL, and Grafana's legend. */
export interface DashboardQuery {
  readonly title: string;
  readonly expr: string;
  readonly legend: string;
}

/** Every query of the dashboard, on raw series (no recording rule needed, so it works from the first scrape). */
export function dashboardQueries(inputs: ObservabilityInputs): DashboardQuery[] {
  const gw = inputs.gateway;
  const tlsFailures = UPSTREAM_TLS_FAILURE_COUNTERS.map((c) => ({
    title: `TLS ${c.replace(/_/g, " ")} by destination`,
    expr: upstreamTlsFailures(gw, c, "rate", "5m"),
    legend: "{{destination}}",
  }));
  return [
    {
      title: "Egress bytes/s by tenant and destination",
      expr: gatewayEgressBytes(gw, "rate", "5m"),
      legend: "{{tenant}} → {{destination_service_name}}",
    },
    {
      title: "Requests/s by tenant and destination (HTTP modes)",
      expr: gatewayRequests(gw, "rate", "5m"),
      legend: "{{tenant}} → {{destination_service_name}}",
    },
    {
      title: "Connections/s by tenant and destination (TLS modes)",
      expr: gatewayConnections(gw, "rate", "5m"),
      legend: "{{tenant}} → {{destination_service_name}}",
    },
    {
      title: "Denials/s at the gateway by tenant",
      expr: `sum by (tenant) (${gatewayDenials(gw, "rate", "5m")})`,
      legend: "{{tenant}}",
    },
    {
      title: "Connections to unregistered hosts by tenant",
      expr: unregisteredTraffic("connections", "rate", "5m"),
      legend: "{{tenant}} → {{destination_service_name}}",
    },
    {
      title: "HTTP requests to unregistered hosts by tenant",
      expr: unregisteredTraffic("requests", "rate", "5m"),
      legend: "{{tenant}} → {{destination_service_name}}",
    },
    ...tlsFailures,
    {
      title: "Top talkers: tenants by bytes sent out over the last hour",
      expr: `topk(10, sum by (tenant) (${gatewayEgressBytes(gw, "increase", "1h")}))`,
      legend: "{{tenant}}",
    },
  ];
}

function dashboardJson(inputs: ObservabilityInputs): string {
  const panels = dashboardQueries(inputs).map((query, index) => ({
    id: index + 1,
    type: "timeseries",
    title: query.title,
    datasource: { type: "prometheus", uid: "${datasource}" },
    gridPos: { h: 8, w: 12, x: (index % 2) * 12, y: Math.floor(index / 2) * 8 },
    targets: [{ refId: "A", expr: query.expr, legendFormat: query.legend }],
  }));
  return JSON.stringify(
    {
      uid: "mesh-egress",
      title: "mesh-egress: egress through the gateway",
      tags: ["mesh-egress", "istio"],
      schemaVersion: 39,
      time: { from: "now-6h", to: "now" },
      templating: {
        list: [{ name: "datasource", type: "datasource", query: "prometheus", label: "Prometheus" }],
      },
      panels,
    },
    null,
    2,
  );
}

function grafanaDashboard(inputs: ObservabilityInputs): KubernetesObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: "mesh-egress-dashboard",
      namespace: inputs.gateway.namespace,
      labels: { ...labels(), [GRAFANA_DASHBOARD_LABEL]: "1" },
    },
    data: { "mesh-egress.json": dashboardJson(inputs) },
  };
}

export interface ObservabilityManifests {
  /** PodMonitors, the PrometheusRule and the Grafana dashboard, all in the gateway namespace. */
  readonly objects: KubernetesObject[];
}

/** Scraping, rules and dashboard for the egress path. Pure: same inputs, same objects. */
export function buildObservabilityManifests(
  inputs: ObservabilityInputs,
  groups: readonly PrometheusRuleGroup[] = egressRuleGroups(inputs),
): ObservabilityManifests {
  return {
    objects: [
      gatewayPodMonitor(inputs),
      tenantSidecarPodMonitor(inputs),
      prometheusRule(inputs, groups),
      grafanaDashboard(inputs),
    ],
  };
}
