import { grantRateLimit } from "../components/fleet-limits";
import {
  httpServices,
  serviceConnectionLimits,
  tenantConnectionLimits,
} from "../components/rate-limit-model";
import { gatewayPortFor, gatewayServiceHost } from "../components/gateway-endpoint";
import type { EgressConfig, ExternalServiceConfig } from "../stacks/model/egress-config";
import { allowedTenants, grantsOfTenant } from "../stacks/relations/grants";
import { routedServices } from "../stacks/relations/temporary-services";
import { modesWhere, type RoutingModeTraits, traitsOf } from "../stacks/routing-modes";
import { breakGlassTable, BreakGlassReport, buildBreakGlassReport } from "./break-glass-report";
import { ReportDocument, Table } from "./report-document";

/** One tenant × destination host, as an auditor reads a grant. */
export interface EgressGrant {
  readonly tenant: string;
  readonly service: string;
  readonly host: string;
  readonly port: number;
  readonly mode: string;
  /** Gateway port the tenant's sidecar sends this traffic to. */
  readonly gatewayPort: number;
  readonly identityAtGateway: string;
  readonly tlsVerification: string;
  readonly rateLimit: string;
  /** The break-glass entry this grant comes from, when it is a temporary exception. */
  readonly breakGlass?: string;
}

export interface GatewayHighAvailability {
  readonly namespace: string;
  readonly serviceHost: string;
  readonly replicas: { readonly min: number; readonly max: number };
  readonly targetCpuUtilizationPercentage: number;
  readonly podDisruptionBudget: string;
  readonly spread: { readonly zone: string; readonly node: string };
}

/** The declared egress of a stack: built from the validated config, never from YAML. */
export interface EgressReport {
  readonly source: string;
  readonly environment: string;
  readonly gateway: GatewayHighAvailability;
  readonly grants: readonly EgressGrant[];
  /** Services no tenant may use: registered, but unreachable. */
  readonly unusedServices: readonly string[];
  /** What the platform cannot enforce, or enforces only in part (README "What was verified"). */
  readonly limits: readonly string[];
  /** Break-glass entries, active and expired, at the instant the config was judged. */
  readonly breakGlass: BreakGlassReport;
}

/** What the gateway matches a destination on, as the report words it. */
const MATCHED_ON: Readonly<Record<RoutingModeTraits["authorizationMatch"], string>> = {
  sni: "SNI",
  "http-host": "host",
};

/** How the gateway knows who is calling, read from the routing mode's traits (istio-egress.md §1). */
function identityAtGateway(service: ExternalServiceConfig): string {
  const { identityAtGateway: known, authorizationMatch } = traitsOf(service);
  return known
    ? `mTLS peer: namespace + ${MATCHED_ON[authorizationMatch]} + port`
    : `none (${MATCHED_ON[authorizationMatch]} only, no workload identity)`;
}

/** Who verifies the external server: the app (the gateway forwards its TLS), or the gateway that originates TLS. */
function tlsVerification(service: ExternalServiceConfig): string {
  const { origination, clientCertificate } = traitsOf(service);
  if (origination === "none") {
    return "by the app, end to end (gateway does not verify)";
  }
  const sans = service.tls?.subjectAltNames ?? service.hosts;
  const roots = service.tls?.caBundle ? "declared CA bundle" : "system roots";
  const client = clientCertificate
    ? `, client certificate ${service.tls?.credentialName ?? service.tls?.clientCertificate?.issuer ?? ""}`
    : "";
  return `gateway ${origination}: SANs ${sans.join(", ")}; ${roots}${client}`;
}

function disruptionBudget(config: EgressConfig): string {
  const pdb = config.gateway.podDisruptionBudget;
  if (pdb === false) return "none";
  return "minAvailable" in pdb ? `minAvailable ${pdb.minAvailable}` : `maxUnavailable ${pdb.maxUnavailable}`;
}

/** Where each service's traffic may land: any address its name resolves to, or only its pinned ones. */
function addressLimits(config: EgressConfig): string[] {
  const services = routedServices(config);
  const pinned = services.filter((s) => (s.pinnedAddresses ?? []).length > 0).map((s) => s.name);
  const resolved = services.filter((s) => (s.pinnedAddresses ?? []).length === 0).map((s) => s.name);
  return [
    ...(resolved.length > 0
      ? [
          `Services resolved by DNS (${resolved.join(", ")}) reach whatever public address their name resolves to; a NetworkPolicy cannot tie an address to a host name.`,
        ]
      : []),
    ...(pinned.length > 0
      ? [
          `Pinned services (${pinned.join(", ")}) are reached only at their declared addresses (Envoy STATIC endpoints); the gateway's NetworkPolicy narrows a port to them only when every service on that port is pinned.`,
        ]
      : []),
  ];
}

/** Whether namespaces that are not tenants can reach the internet around the gateway. */
function lockLimit(config: EgressConfig): string {
  const lock = config.cluster.lockAllNamespaces;
  if (!lock.enabled) {
    return "Namespaces that are not tenants have no egress lock from this stack (cluster.lockAllNamespaces is off): their pods reach the internet directly.";
  }
  const open = [config.gateway.namespace, ...lock.exempt].join(", ");
  return `An AdminNetworkPolicy denies egress outside the cluster from every namespace but ${open}, where the CNI implements policy.networking.k8s.io/v1alpha1.`;
}

/** Whether the render carries any rate-limit filter: HTTP services always get the backstop, TLS ones a connection limit. */
function hasRateLimits(config: EgressConfig): boolean {
  return (
    httpServices(config).length > 0 ||
    serviceConnectionLimits(config).length > 0 ||
    tenantConnectionLimits(config).length > 0
  );
}

/** Whether tenant pods get Kubernetes' Pod Security admission, and what the stack assumes to have it. */
function podSecurityLimit(config: EgressConfig): string {
  if (!config.controlPlane.cni) {
    return "Istio CNI is not declared (controlPlane.cni): the injected istio-init holds NET_ADMIN and NET_RAW, so tenant namespaces carry no Pod Security label and the tenant-pod-security guardrail applies baseline's host and privilege rules instead.";
  }
  return config.controlPlane.install
    ? "Istio CNI is installed by this stack; tenant namespaces enforce Pod Security (baseline, or restricted where a tenant says so)."
    : "Prerequisite: Istio CNI must run in the cluster (controlPlane.cni is declared, this stack does not install it); tenant namespaces enforce Pod Security, which refuses pods injected with istio-init.";
}

function limitsOf(config: EgressConfig): string[] {
  const limits = [
    "Identity at the gateway is the caller's Istio mTLS certificate (its namespace), checked by the tenant's AuthorizationPolicy; passthrough traffic has none.",
    "REGISTRY_ONLY is best effort (Istio's own docs): the tenant NetworkPolicies are the enforcement, and only where the CNI enforces NetworkPolicy.",
    "NetworkPolicies are additive: a policy created outside this stack in a tenant namespace can reopen direct egress; CrossGuard never sees it.",
    "Denials of TLS-mode connections (passthrough-mtls) are recorded per tenant only in the gateway's access log, not as per-tenant metrics.",
  ];
  if (!hasRateLimits(config)) {
    limits.push("No rate limits are declared: the gateway does not bound any tenant's request or byte rate.");
  }
  limits.push(...addressLimits(config), lockLimit(config), podSecurityLimit(config));
  if (routedServices(config).some((s) => !traitsOf(s).identityAtGateway)) {
    const modes = modesWhere((traits) => !traits.identityAtGateway).join(", ");
    limits.push(
      `${modes} services carry no workload identity to the gateway: it cannot tell tenants apart on them, and the audit cannot attribute their traffic.`,
    );
  }
  if (config.gateway.replicas.min < 2) {
    limits.push(
      `The gateway may run a single replica (min ${config.gateway.replicas.min}): one pod loss stops all egress.`,
    );
  }
  return limits;
}

export function buildEgressReport(config: EgressConfig, source: string): EgressReport {
  // Active break-glass grants are egress too, marked with their entry.
  const grants = config.tenants.flatMap((tenant) =>
    [
      ...grantsOfTenant(tenant.namespace, "allow", config),
      ...grantsOfTenant(tenant.namespace, "break-glass-grant", config),
    ].flatMap(({ service, source }) => {
      const breakGlass = source.kind === "break-glass-grant" ? source.entry.id : undefined;
      return service.hosts.map((host) => ({
        ...(breakGlass ? { breakGlass } : {}),
        tenant: tenant.namespace,
        service: service.name,
        host,
        port: service.port,
        mode: service.mode,
        gatewayPort: gatewayPortFor(service),
        identityAtGateway: identityAtGateway(service),
        tlsVerification: tlsVerification(service),
        rateLimit: grantRateLimit(config, tenant.namespace, service),
      }));
    }),
  );
  const gw = config.gateway;
  return {
    source,
    environment: config.environment,
    gateway: {
      namespace: gw.namespace,
      serviceHost: gatewayServiceHost(config),
      replicas: { ...gw.replicas },
      targetCpuUtilizationPercentage: gw.targetCpuUtilizationPercentage,
      podDisruptionBudget: disruptionBudget(config),
      spread: { ...gw.spread },
    },
    grants,
    unusedServices: config.services.filter((s) => allowedTenants(s, config).length === 0).map((s) => s.name),
    limits: limitsOf(config),
    breakGlass: buildBreakGlassReport(config.breakGlass),
  };
}

const GRANT_COLUMNS = [
  "tenant",
  "service",
  "host",
  "port",
  "mode",
  "identity at gateway",
  "TLS verification",
  "rate limit",
] as const;

function grantsTable(report: EgressReport): Table {
  return {
    columns: GRANT_COLUMNS,
    rows: report.grants.map((g) => [
      g.breakGlass ? `${g.tenant} (break-glass ${g.breakGlass})` : g.tenant,
      g.service,
      g.host,
      String(g.port),
      g.mode,
      g.identityAtGateway,
      g.tlsVerification,
      g.rateLimit,
    ]),
  };
}

/** The report as the formatters print it. */
export function egressReportDocument(report: EgressReport): ReportDocument {
  const gw = report.gateway;
  return {
    title: `Declared egress: ${report.source} (${report.environment})`,
    sections: [
      { title: "Grants: tenant × destination", table: grantsTable(report) },
      {
        title: "Gateway high availability",
        table: {
          columns: ["setting", "value"],
          rows: [
            ["service", `${gw.serviceHost}`],
            [
              "replicas",
              `${gw.replicas.min}–${gw.replicas.max} (HPA at ${gw.targetCpuUtilizationPercentage}% CPU)`,
            ],
            ["disruption budget", gw.podDisruptionBudget],
            ["spread", `zone ${gw.spread.zone}, node ${gw.spread.node}`],
          ],
        },
      },
      ...(report.unusedServices.length > 0
        ? [{ title: "Registered services no tenant may use", lines: report.unusedServices }]
        : []),
      report.breakGlass.entries.length > 0
        ? {
            title: `Break-glass exceptions (judged at ${report.breakGlass.evaluatedAt}; at most ${report.breakGlass.maxHours}h each)`,
            table: breakGlassTable(report.breakGlass),
          }
        : { title: "Break-glass exceptions", lines: ["none declared"] },
      { title: "Not enforceable, or enforced only in part", lines: report.limits },
    ],
    csv: grantsTable(report),
    model: report,
  };
}
