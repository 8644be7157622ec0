import type { AuditQueryName } from "../components/audit-counters";
import { BLACK_HOLE_CLUSTER, PASSTHROUGH_CLUSTER, UNKNOWN_DESTINATION } from "../components/egress-metrics";
import type { BreakGlassEntry } from "../stacks/model/break-glass";
import type { EgressConfig, ExternalServiceConfig } from "../stacks/model/egress-config";
import { breakGlassGrants } from "../stacks/relations/grants";
import { routedServices } from "../stacks/relations/temporary-services";
import { traitsOf } from "../stacks/routing-modes";
import { breakGlassStartMs } from "./audit-segments";
import type { AuditSeriesSource } from "./audit-source";
import type { VectorSample } from "./prometheus-client";
import { ReportDocument, Table } from "./report-document";

/** A count observed over the window for one tenant (empty: no identity) and one destination. */
export interface Observed {
  readonly tenant: string;
  readonly destination: string;
  readonly value: number;
  /** `destination_service`: for HTTP through PassthroughCluster, the host the request was for. */
  readonly host?: string;
  /** `response_flags` of a reply the gateway made itself. */
  readonly flags?: string;
}

/** Everything the audit reads from Prometheus, totals over the window. */
export type Observations = Readonly<Record<AuditQueryName, readonly Observed[]>>;

/** Observations over one stretch of the window; the window is cut where a break-glass entry starts or ends. */
export interface ObservedSegment {
  /** RFC 3339 bounds of the stretch. */
  readonly from: string;
  readonly to: string;
  readonly observations: Observations;
}

/** Vector samples as observations: any positive total is at least one event, zero totals dropped. */
export function toObserved(samples: readonly VectorSample[]): Observed[] {
  return samples
    .filter((s) => s.value > 0)
    .map((s) => ({
      tenant: s.labels.tenant ?? "",
      destination: s.labels.destination_service_name ?? "",
      value: Math.max(1, Math.round(s.value)),
      ...(s.labels.destination_service ? { host: s.labels.destination_service } : {}),
      ...(s.labels.response_flags ? { flags: s.labels.response_flags } : {}),
    }));
}

export interface TrafficRow {
  readonly tenant: string;
  readonly destination: string;
  /** The service whose hosts include the destination, if any. */
  readonly service?: string;
  readonly declared: boolean;
  /** The break-glass `grant` entry that declares this traffic, when only a temporary exception covers it. */
  readonly breakGlass?: string;
  /** A break-glass entry for this tenant and host that was not in force when this traffic flowed. */
  readonly outsideBreakGlass?: string;
  readonly requests: number;
  readonly connections: number;
  readonly bytesOut: number;
  readonly denials: number;
}

/** Who refused an attempt, as far as the metrics tell. */
export const DENIED_BY = {
  forbidden: "HTTP 403 at the gateway (its AuthorizationPolicy or the remote server: metrics do not tell)",
  gatewayReply: "the gateway's own reply, no upstream reached",
  gatewayConnection: "the gateway refused the connection, no upstream reached",
  blackHole: "sidecar REGISTRY_ONLY (BlackHoleCluster)",
} as const;

export interface DeniedAttempt {
  readonly tenant: string;
  readonly destination: string;
  readonly attempts: number;
  readonly where: string;
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
  /** Prometheus warnings: the answer is partial (a store down), so every count may be short. */
  readonly warnings: readonly string[];
  /** Raw Istio series or the audit records, and why. */
  readonly readFrom: AuditSeriesSource;
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

const pairKey = (tenant: string, other: string) => `${tenant}\u0000${other}`;

/** The stack's grants as lookups, built once: classifying a row costs a few map reads. */
class Grants {
  private readonly serviceByHost = new Map<string, ExternalServiceConfig>();
  private readonly granted = new Set<string>();
  private readonly breakGlassByTenantHost = new Map<string, BreakGlassEntry[]>();

  constructor(private readonly config: EgressConfig) {
    for (const service of routedServices(config))
      for (const host of service.hosts)
        if (!this.serviceByHost.has(host)) this.serviceByHost.set(host, service);
    for (const grant of config.grants.inForce)
      if (grant.source.kind === "allow") this.granted.add(pairKey(grant.tenant, grant.service.name));
    for (const { tenant, service, source } of breakGlassGrants(config)) {
      for (const host of service.hosts) {
        const key = pairKey(tenant, host);
        this.breakGlassByTenantHost.set(key, [...(this.breakGlassByTenantHost.get(key) ?? []), source.entry]);
      }
    }
  }

  service(host: string): ExternalServiceConfig | undefined {
    return this.serviceByHost.get(host);
  }

  isGranted(tenant: string, service: ExternalServiceConfig | undefined): boolean {
    if (!service) return false;
    // Identity-less traffic is expected where the mode carries no identity to the gateway: it admits it by SNI.
    if (tenant === "") return !traitsOf(service).identityAtGateway;
    return this.granted.has(pairKey(tenant, service.name));
  }

  /** The break-glass grants for a tenant and host: those in force over [fromMs, toMs], and the others. */
  breakGlass(tenant: string, host: string, fromMs: number, toMs: number) {
    const entries = tenant === "" ? [] : (this.breakGlassByTenantHost.get(pairKey(tenant, host)) ?? []);
    const maxHours = this.config.breakGlass.maxHours;
    const inForce = entries.find((e) => breakGlassStartMs(e, maxHours) <= fromMs && toMs <= e.expiresAtMs);
    return { inForce, other: inForce ? undefined : entries[0] };
  }
}

type Counts = { requests: number; connections: number; bytesOut: number; denials: number };
const COUNTED: readonly [keyof Observations, keyof Counts][] = [
  ["requests", "requests"],
  ["connections", "connections"],
  ["egressBytes", "bytesOut"],
  ["denials", "denials"],
];

const moved = (row: Pick<TrafficRow, keyof Counts>) => row.requests + row.connections + row.bytesOut > 0;

/** Sums attempts per key, keeping first-seen order out of it: rows are sorted after. */
function addTo<T extends { attempts: number }>(map: Map<string, T>, key: string, row: T): void {
  const existing = map.get(key);
  map.set(key, existing ? { ...existing, attempts: existing.attempts + row.attempts } : row);
}

/** Compares what Prometheus saw with what the stack declares, stretch by stretch. Pure; linear in the observations. */
export function buildEgressAudit(
  config: EgressConfig,
  segments: readonly ObservedSegment[],
  context: {
    readonly source: string;
    readonly prometheus: string;
    readonly window: string;
    readonly warnings?: readonly string[];
    readonly readFrom: AuditSeriesSource;
  },
): EgressAudit {
  const grants = new Grants(config);
  const rows = new Map<string, TrafficRow & Counts>();
  const passthrough = new Map<string, TrafficRow & Counts>();
  const denied = new Map<string, DeniedAttempt>();

  for (const { from, to, observations } of segments) {
    const fromMs = Date.parse(from);
    const toMs = Date.parse(to);
    for (const [list, column] of COUNTED) {
      for (const o of observations[list]) {
        const service = grants.service(o.destination);
        const declared = grants.isGranted(o.tenant, service);
        const breakGlass = declared
          ? { inForce: undefined, other: undefined }
          : grants.breakGlass(o.tenant, o.destination, fromMs, toMs);
        const serviceName = service?.name ?? breakGlass.inForce?.service ?? breakGlass.other?.service;
        const classification = declared ? "" : (breakGlass.inForce?.id ?? `!${breakGlass.other?.id ?? ""}`);
        const key = pairKey(pairKey(o.tenant, o.destination), classification);
        const row = rows.get(key) ?? {
          tenant: o.tenant,
          destination: o.destination,
          ...(serviceName ? { service: serviceName } : {}),
          declared: declared || breakGlass.inForce !== undefined,
          ...(breakGlass.inForce ? { breakGlass: breakGlass.inForce.id } : {}),
          ...(breakGlass.other ? { outsideBreakGlass: breakGlass.other.id } : {}),
          requests: 0,
          connections: 0,
          bytesOut: 0,
          denials: 0,
        };
        row[column] += o.value;
        rows.set(key, row);
      }
    }
    for (const list of ["unregisteredConnections", "unregisteredRequests"] as const) {
      for (const o of observations[list]) {
        if (o.destination === BLACK_HOLE_CLUSTER) {
          addTo(denied, pairKey(o.tenant, DENIED_BY.blackHole), {
            tenant: o.tenant,
            destination: `${BLACK_HOLE_CLUSTER} (unregistered host)`,
            attempts: o.value,
            where: DENIED_BY.blackHole,
          });
        } else if (o.destination === PASSTHROUGH_CLUSTER) {
          const destination = o.host
            ? `${PASSTHROUGH_CLUSTER} (host: ${o.host})`
            : `${PASSTHROUGH_CLUSTER} (host not recorded: TCP, and the mesh is not REGISTRY_ONLY)`;
          const key = pairKey(o.tenant, destination);
          const row = passthrough.get(key) ?? {
            tenant: o.tenant,
            destination,
            declared: false,
            requests: 0,
            connections: 0,
            bytesOut: 0,
            denials: 0,
          };
          row[list === "unregisteredRequests" ? "requests" : "connections"] += o.value;
          passthrough.set(key, row);
        }
      }
    }
    for (const o of observations.denials) {
      addTo(denied, pairKey(pairKey(o.tenant, o.destination), DENIED_BY.forbidden), {
        tenant: o.tenant,
        destination: o.destination,
        attempts: o.value,
        where: DENIED_BY.forbidden,
      });
    }
    for (const [list, by] of [
      ["refusedRequests", DENIED_BY.gatewayReply],
      ["refusedConnections", DENIED_BY.gatewayConnection],
    ] as const) {
      for (const o of observations[list]) {
        const destination = o.destination === UNKNOWN_DESTINATION ? "(no service matched)" : o.destination;
        const where = o.flags && o.flags !== "-" ? `${by} (response_flags ${o.flags})` : by;
        addTo(denied, pairKey(pairKey(o.tenant, destination), where), {
          tenant: o.tenant,
          destination,
          attempts: o.value,
          where,
        });
      }
    }
  }

  const byTenantAndDestination = (a: TrafficRow, b: TrafficRow) =>
    a.tenant.localeCompare(b.tenant) || a.destination.localeCompare(b.destination);
  const traffic = [...rows.values()].sort(byTenantAndDestination);
  const used = new Set(
    traffic.filter((r) => r.service && moved(r)).map((r) => pairKey(r.tenant, r.service!)),
  );
  const grantList = config.grants.inForce.filter((g) => g.source.kind === "allow");
  const asGrant = (g: { tenant: string; service: ExternalServiceConfig }) => ({
    tenant: g.tenant,
    service: g.service.name,
    hosts: [...g.service.hosts],
  });

  return {
    source: context.source,
    prometheus: context.prometheus,
    window: context.window,
    warnings: [...(context.warnings ?? [])],
    readFrom: context.readFrom,
    traffic,
    undeclared: [
      ...traffic.filter((row) => !row.declared && moved(row)),
      ...[...passthrough.values()].sort(byTenantAndDestination),
    ],
    deniedAttempts: [...denied.values()].sort(
      (a, b) => a.tenant.localeCompare(b.tenant) || a.destination.localeCompare(b.destination),
    ),
    unusedGrants: grantList
      .filter((g) => traitsOf(g.service).identityAtGateway && !used.has(pairKey(g.tenant, g.service.name)))
      .map(asGrant),
    unattributableGrants: grantList.filter((g) => !traitsOf(g.service).identityAtGateway).map(asGrant),
  };
}

/** True when nothing at all was observed: no gateway or sidecar series in the window. */
export function observedNothing(segments: readonly ObservedSegment[]): boolean {
  return segments.every((s) =>
    Object.values(s.observations).every((list: readonly Observed[]) => list.length === 0),
  );
}

const tenantName = (tenant: string) => (tenant === "" ? "(no identity)" : tenant);

function declaredCell(row: TrafficRow): string {
  if (row.breakGlass) return `break-glass ${row.breakGlass}`;
  if (row.declared) return "yes";
  return row.outsideBreakGlass ? `NO (outside break-glass ${row.outsideBreakGlass})` : "NO";
}

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
      declaredCell(r),
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
        .filter((d) => d.where !== DENIED_BY.forbidden)
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

function readFromLine({ series, reason }: AuditSeriesSource): string {
  return series === "recorded"
    ? `the audit records (mesh_egress:*:increment1m): ${reason}`
    : `raw Istio series: ${reason}`;
}

export function egressAuditDocument(audit: EgressAudit): ReportDocument {
  return {
    title: `${audit.warnings.length > 0 ? "INCOMPLETE: " : ""}Observed vs declared egress: ${audit.source}, last ${audit.window} (${audit.prometheus})`,
    sections: [
      ...(audit.warnings.length > 0
        ? [
            {
              title: "Prometheus warned the answer is partial: every count below may be short",
              lines: audit.warnings,
            },
          ]
        : []),
      { title: "Read from", lines: [readFromLine(audit.readFrom)] },
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
