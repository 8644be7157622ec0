import {
  BLACK_HOLE_CLUSTER,
  gatewayConnections,
  gatewayDenials,
  gatewayEgressBytes,
  gatewayRequests,
  GatewayWorkload,
  PASSTHROUGH_CLUSTER,
  unregisteredTraffic,
} from "../components/egress-metrics";
import type { EgressConfig, ExternalServiceConfig } from "../stacks/egress-config";
import type { VectorSample } from "./prometheus-client";
import { ReportDocument, Table } from "./report-document";

/** A count observed over the window for one tenant (empty: no identity) and one destination. */
export interface Observed {
  readonly tenant: string;
  readonly destination: string;
  readonly value: number;
}

/** Everything the audit reads from Prometheus, totals over the window. */
export interface Observations {
  readonly requests: readonly Observed[];
  readonly connections: readonly Observed[];
  readonly egressBytes: readonly Observed[];
  readonly denials: readonly Observed[];
  readonly unregisteredConnections: readonly Observed[];
  readonly unregisteredRequests: readonly Observed[];
}

/** The audit's queries, named by what they fill; totals (`increase`) over the window. */
export function auditQueries(gateway: GatewayWorkload, window: string): Record<keyof Observations, string> {
  return {
    requests: gatewayRequests(gateway, "increase", window),
    connections: gatewayConnections(gateway, "increase", window),
    egressBytes: gatewayEgressBytes(gateway, "increase", window),
    denials: gatewayDenials(gateway, "increase", window),
    unregisteredConnections: unregisteredTraffic("connections", "increase", window),
    unregisteredRequests: unregisteredTraffic("requests", "increase", window),
  };
}

/** Vector samples as observations: rounded counts, zero totals dropped. */
export function toObserved(samples: readonly VectorSample[]): Observed[] {
  return samples
    .map((s) => ({
      tenant: s.labels.tenant ?? "",
      destination: s.labels.destination_service_name ?? "",
      value: Math.round(s.value),
    }))
    .filter((o) => o.value > 0);
}

export interface TrafficRow {
  readonly tenant: string;
  readonly destination: string;
  /** The service whose hosts include the destination, if any. */
  readonly service?: string;
  readonly declared: boolean;
  /** The break-glass `grant` entry that declares this traffic, when only a temporary exception covers it. */
  readonly breakGlass?: string;
  readonly requests: number;
  readonly connections: number;
  readonly bytesOut: number;
  readonly denials: number;
}

export interface DeniedAttempt {
  readonly tenant: string;
  readonly destination: string;
  readonly attempts: number;
  readonly where: "gateway AuthorizationPolicy (403)" | "sidecar REGISTRY_ONLY (BlackHoleCluster)";
}

export interface UnusedGrant {
  readonly tenant: string;
  readonly service: string;
  readonly hosts: readonly string[];
}

/** Observed egress against declared egress, over one window. */
export interface EgressAudit {
  readonly source: string;
  readonly prometheus: string;
  readonly window: string;
  /** Per tenant × destination seen at the gateway (tenant "" = no identity: plain passthrough). */
  readonly traffic: readonly TrafficRow[];
  /** Traffic that left (or reached the gateway) with no grant covering it, break-glass grants included. */
  readonly undeclared: readonly TrafficRow[];
  readonly deniedAttempts: readonly DeniedAttempt[];
  /** Grants with no traffic in the window: least-privilege candidates. */
  readonly unusedGrants: readonly UnusedGrant[];
  /** Passthrough grants: the gateway sees no identity, so their use per tenant cannot be observed. */
  readonly unattributableGrants: readonly UnusedGrant[];
}

function serviceOfHost(config: EgressConfig, host: string): ExternalServiceConfig | undefined {
  return config.services.find((s) => s.hosts.includes(host));
}

function isGranted(
  config: EgressConfig,
  tenant: string,
  service: ExternalServiceConfig | undefined,
): boolean {
  if (!service) return false;
  // Identity-less traffic is expected on plain passthrough: the gateway admits it by SNI.
  if (tenant === "") return service.mode === "passthrough";
  return config.tenants.some((t) => t.namespace === tenant && t.allow.includes(service.name));
}

/** Connections and requests a tenant's sidecars black-holed, summed: each one is an attempt. */
function blackHoledAttempts(observations: Observations): [string, number][] {
  const attempts = new Map<string, number>();
  for (const o of [...observations.unregisteredConnections, ...observations.unregisteredRequests]) {
    if (o.destination === BLACK_HOLE_CLUSTER) attempts.set(o.tenant, (attempts.get(o.tenant) ?? 0) + o.value);
  }
  return [...attempts.entries()].sort(([a], [b]) => a.localeCompare(b));
}

/**
 * The break-glass `grant` entry covering a tenant's traffic to a service, if any. Expired entries still in
 * the stack count too: the window may span their lifetime, and objects outliving one are break-glass traffic.
 */
function breakGlassGrantFor(
  config: EgressConfig,
  tenant: string,
  service: ExternalServiceConfig | undefined,
): string | undefined {
  if (!service || tenant === "") return undefined;
  return [...config.breakGlass.active, ...config.breakGlass.expired].find(
    (e) => e.scope === "grant" && e.tenants[0] === tenant && e.service === service.name,
  )?.id;
}

/** Compares what Prometheus saw with what the stack declares. Pure. */
export function buildEgressAudit(
  config: EgressConfig,
  observations: Observations,
  context: { readonly source: string; readonly prometheus: string; readonly window: string },
): EgressAudit {
  const key = (o: { tenant: string; destination: string }) => `${o.tenant}\u0000${o.destination}`;
  const pairs = new Map<string, { tenant: string; destination: string }>();
  for (const list of [
    observations.requests,
    observations.connections,
    observations.egressBytes,
    observations.denials,
  ]) {
    for (const o of list) pairs.set(key(o), { tenant: o.tenant, destination: o.destination });
  }
  const total = (list: readonly Observed[], pair: { tenant: string; destination: string }) =>
    list.filter((o) => key(o) === key(pair)).reduce((sum, o) => sum + o.value, 0);

  const traffic: TrafficRow[] = [...pairs.values()]
    .map((pair) => {
      const service = serviceOfHost(config, pair.destination);
      const granted = isGranted(config, pair.tenant, service);
      const breakGlass = granted ? undefined : breakGlassGrantFor(config, pair.tenant, service);
      return {
        ...pair,
        ...(service ? { service: service.name } : {}),
        declared: granted || breakGlass !== undefined,
        ...(breakGlass ? { breakGlass } : {}),
        requests: total(observations.requests, pair),
        connections: total(observations.connections, pair),
        bytesOut: total(observations.egressBytes, pair),
        denials: total(observations.denials, pair),
      };
    })
    .sort((a, b) => a.tenant.localeCompare(b.tenant) || a.destination.localeCompare(b.destination));

  const passedThrough = [
    ...observations.unregisteredConnections,
    ...observations.unregisteredRequests,
  ].filter((o) => o.destination === PASSTHROUGH_CLUSTER);
  const undeclared: TrafficRow[] = [
    ...traffic.filter((row) => !row.declared && row.requests + row.connections + row.bytesOut > 0),
    ...passedThrough.map((o) => ({
      tenant: o.tenant,
      destination: `${PASSTHROUGH_CLUSTER} (host not recorded: the mesh is not REGISTRY_ONLY)`,
      declared: false,
      requests: observations.unregisteredRequests.includes(o) ? o.value : 0,
      connections: observations.unregisteredConnections.includes(o) ? o.value : 0,
      bytesOut: 0,
      denials: 0,
    })),
  ];

  const deniedAttempts: DeniedAttempt[] = [
    ...observations.denials.map((o) => ({
      tenant: o.tenant,
      destination: o.destination,
      attempts: o.value,
      where: "gateway AuthorizationPolicy (403)" as const,
    })),
    ...blackHoledAttempts(observations).map(([tenant, attempts]) => ({
      tenant,
      destination: `${BLACK_HOLE_CLUSTER} (unregistered host)`,
      attempts,
      where: "sidecar REGISTRY_ONLY (BlackHoleCluster)" as const,
    })),
  ];

  const grants = config.tenants.flatMap((tenant) =>
    tenant.allow.flatMap((name) => {
      const service = config.services.find((s) => s.name === name);
      return service ? [{ tenant: tenant.namespace, service }] : [];
    }),
  );
  const used = (tenant: string, service: ExternalServiceConfig) =>
    traffic.some(
      (row) =>
        row.tenant === tenant &&
        service.hosts.includes(row.destination) &&
        row.requests + row.connections + row.bytesOut > 0,
    );
  const asGrant = (g: { tenant: string; service: ExternalServiceConfig }) => ({
    tenant: g.tenant,
    service: g.service.name,
    hosts: [...g.service.hosts],
  });

  return {
    ...context,
    traffic,
    undeclared,
    deniedAttempts,
    unusedGrants: grants
      .filter((g) => g.service.mode !== "passthrough" && !used(g.tenant, g.service))
      .map(asGrant),
    unattributableGrants: grants.filter((g) => g.service.mode === "passthrough").map(asGrant),
  };
}

/** True when nothing at all was observed: no gateway or sidecar series in the window. */
export function observedNothing(observations: Observations): boolean {
  return Object.values(observations).every((list: readonly Observed[]) => list.length === 0);
}

const tenantName = (tenant: string) => (tenant === "" ? "(no identity)" : tenant);

function trafficTable(rows: readonly TrafficRow[]): Table {
  return {
    columns: [
      "tenant",
      "destination",
      "service",
      "declared",
      "requests",
      "connections",
      "bytes out",
      "denials",
    ],
    rows: rows.map((r) => [
      tenantName(r.tenant),
      r.destination,
      r.service ?? "-",
      r.breakGlass ? `break-glass ${r.breakGlass}` : r.declared ? "yes" : "NO",
      String(r.requests),
      String(r.connections),
      String(r.bytesOut),
      String(r.denials),
    ]),
  };
}

/** One flat table for spreadsheets: every finding with its kind. */
function auditCsv(audit: EgressAudit): Table {
  const columns = [
    "finding",
    "tenant",
    "destination",
    "service",
    "requests",
    "connections",
    "bytes out",
    "denials",
  ];
  return {
    columns,
    rows: [
      ...audit.traffic.map((r) => [
        r.breakGlass ? `break-glass ${r.breakGlass}` : r.declared ? "declared" : "undeclared",
        r.tenant,
        r.destination,
        r.service ?? "",
        String(r.requests),
        String(r.connections),
        String(r.bytesOut),
        String(r.denials),
      ]),
      ...audit.undeclared
        .filter((r) => !audit.traffic.includes(r))
        .map((r) => [
          "undeclared",
          r.tenant,
          r.destination,
          "",
          String(r.requests),
          String(r.connections),
          "0",
          "0",
        ]),
      ...audit.deniedAttempts
        .filter((d) => d.where !== "gateway AuthorizationPolicy (403)")
        .map((d) => ["denied", d.tenant, d.destination, "", String(d.attempts), "", "", String(d.attempts)]),
      ...audit.unusedGrants.map((g) => [
        "unused-grant",
        g.tenant,
        g.hosts.join(" "),
        g.service,
        "0",
        "0",
        "0",
        "0",
      ]),
    ],
  };
}

export function egressAuditDocument(audit: EgressAudit): ReportDocument {
  return {
    title: `Observed vs declared egress: ${audit.source}, last ${audit.window} (${audit.prometheus})`,
    sections: [
      { title: "Traffic at the gateway: tenant × destination", table: trafficTable(audit.traffic) },
      {
        title: "Undeclared egress (no grant covers it)",
        table: trafficTable(audit.undeclared),
      },
      {
        title: "Denied attempts",
        table: {
          columns: ["tenant", "destination", "attempts", "denied by"],
          rows: audit.deniedAttempts.map((d) => [
            tenantName(d.tenant),
            d.destination,
            String(d.attempts),
            d.where,
          ]),
        },
      },
      {
        title: "Grants never used in the window (least-privilege candidates)",
        table: {
          columns: ["tenant", "service", "hosts"],
          rows: audit.unusedGrants.map((g) => [g.tenant, g.service, g.hosts.join(", ")]),
        },
      },
      {
        title: "Grants whose use cannot be attributed (passthrough: no identity at the gateway)",
        table: {
          columns: ["tenant", "service", "hosts"],
          rows: audit.unattributableGrants.map((g) => [g.tenant, g.service, g.hosts.join(", ")]),
        },
      },
    ],
    csv: auditCsv(audit),
    model: audit,
  };
}
