import { isAddressLiteral, nonPublicRangesReached, parseAddress } from "../policy/mesh/address-ranges";
import { isInClusterHost } from "../policy/mesh/in-cluster-hosts";
import { externalHost } from "../stacks/schema/hosts";
import type { AccessLogRecord } from "./envoy-access-log";

/**
 * What discover learns from each access log line or metric series: one outbound destination (tenant, host,
 * port, TLS or plain HTTP), or the reason it is left out. Aggregated in a map bounded by distinct
 * destinations, never by lines, so a million lines cost what their distinct destinations cost.
 */

export type Traffic = "tls" | "http";

/** Why an observation is not proposed for the registry; each is counted and listed. */
export type LeftOut =
  "health-check" | "inbound" | "in-cluster" | "ip-only" | "private-address" | "registered" | "not-a-host";

export interface Observation {
  readonly tenant?: string;
  readonly host: string;
  readonly port: number;
  readonly traffic: Traffic;
  readonly count: number;
  readonly time?: string;
}

export interface Destination {
  readonly host: string;
  readonly port: number;
  readonly traffic: Traffic;
  count: number;
  firstSeen?: string;
  lastSeen?: string;
  readonly tenants: Map<string, number>;
}

/** The most distinct destinations (and left-out names) kept; beyond it lines are counted, not remembered. */
export const MAX_DESTINATIONS = 50_000;

const HEALTH_PATHS = /^\/(healthz|readyz|livez|health|ready|live|ping)(\/|\?|$)/;

/** The caller's namespace from a SPIFFE ID (`spiffe://<trust domain>/ns/<ns>/sa/<sa>`). */
export function namespaceOfIdentity(identity: string | undefined): string | undefined {
  return identity ? /^spiffe:\/\/[^/]+\/ns\/([^/]+)\/sa\//.exec(identity)?.[1] : undefined;
}

/** `host:port`, `[v6]:port` or a bare host, split. */
export function splitHostPort(value: string): { host: string; port?: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  if (bracketed) return { host: bracketed[1] ?? "", ...(bracketed[2] ? { port: Number(bracketed[2]) } : {}) };
  const colon = value.lastIndexOf(":");
  if (colon > 0 && value.indexOf(":") === colon && /^\d+$/.test(value.slice(colon + 1))) {
    return { host: value.slice(0, colon), port: Number(value.slice(colon + 1)) };
  }
  return { host: value };
}

/** Hosts already judged: ipaddr's and the schema's checks cost ~150 µs a name, a log repeats few names. */
const judged = new Map<string, LeftOut | null>();

/** Why a destination host is not one to register, or undefined when it is. */
export function hostLeftOut(host: string, clusterDomain: string): LeftOut | undefined {
  const key = `${clusterDomain} ${host}`;
  let verdict = judged.get(key);
  if (verdict === undefined) {
    // Bounded like the destinations: forget everything rather than grow without end.
    if (judged.size >= MAX_DESTINATIONS) judged.clear();
    verdict = judgeHost(host, clusterDomain) ?? null;
    judged.set(key, verdict);
  }
  return verdict ?? undefined;
}

function judgeHost(host: string, clusterDomain: string): LeftOut | undefined {
  if (isAddressLiteral(host)) {
    const address = parseAddress(host);
    return address && nonPublicRangesReached([address]).length > 0 ? "private-address" : "ip-only";
  }
  if (isInClusterHost(host, clusterDomain)) return "in-cluster";
  return externalHost.safeParse(host).success ? undefined : "not-a-host";
}

/** The outbound destination of one access log line, or why it is left out. */
export function observeRecord(
  record: AccessLogRecord,
  defaultTenant: string | undefined,
  clusterDomain: string,
): { observation: Observation } | { leftOut: LeftOut; name: string } {
  const cluster = record.upstreamCluster ?? "";
  const name = record.sni ?? record.authority ?? record.upstreamHost ?? "-";
  if ((record.userAgent ?? "").startsWith("kube-probe/") || HEALTH_PATHS.test(record.path ?? "")) {
    return { leftOut: "health-check", name };
  }
  if (cluster.startsWith("inbound|")) return { leftOut: "inbound", name };
  // outbound|<port>|<subset>|<host>: the sidecar's (or gateway's) cluster names the host and port dialled.
  const outbound = /^outbound\|(\d+)\|[^|]*\|(.+)$/.exec(cluster);
  const dialled = splitHostPort(record.downstreamLocalAddress ?? "");
  const http = record.method !== undefined;
  const named =
    record.sni ?? (record.authority ? splitHostPort(record.authority).host : undefined) ?? outbound?.[2];
  const port = Number(
    outbound?.[1] ??
      dialled.port ??
      (record.authority ? splitHostPort(record.authority).port : undefined) ??
      (http ? 80 : 443),
  );
  if (named === undefined) {
    const address = dialled.host || (record.upstreamHost ? splitHostPort(record.upstreamHost).host : "");
    return {
      leftOut: hostLeftOut(address, clusterDomain) === "private-address" ? "private-address" : "ip-only",
      name: address || "-",
    };
  }
  const host = named.toLowerCase().replace(/\.$/, "");
  const leftOut = hostLeftOut(host, clusterDomain);
  if (leftOut) return { leftOut, name: host };
  const tenant = namespaceOfIdentity(record.callerIdentity) ?? defaultTenant;
  return {
    observation: {
      host,
      port,
      // An SNI means TLS; a method on a connection without one means the app sent plain HTTP.
      traffic: record.sni !== undefined || !http ? "tls" : "http",
      count: 1,
      ...(tenant ? { tenant } : {}),
      ...(record.startTime ? { time: record.startTime } : {}),
    },
  };
}

/** Everything discover has seen, bounded. */
export class Observations {
  readonly destinations = new Map<string, Destination>();
  readonly leftOut = new Map<LeftOut, Map<string, number>>();
  /** Lines that looked like access log lines but could not be read. */
  malformed = 0;
  /** Lines that are not access log lines at all (the proxy's own logs). */
  other = 0;
  lines = 0;
  /** Lines older than the window (--since before --now). */
  outsideWindow = 0;
  /** Observations counted but not remembered once MAX_DESTINATIONS distinct ones are held. */
  dropped = 0;

  add(observation: Observation, registered: ReadonlySet<string>): void {
    if (registered.has(observation.host)) {
      this.leave("registered", observation.host, observation.count);
      return;
    }
    const key = `${observation.host}:${observation.port}:${observation.traffic}`;
    let destination = this.destinations.get(key);
    if (!destination) {
      if (this.destinations.size >= MAX_DESTINATIONS) {
        this.dropped += observation.count;
        return;
      }
      destination = {
        host: observation.host,
        port: observation.port,
        traffic: observation.traffic,
        count: 0,
        tenants: new Map(),
      };
      this.destinations.set(key, destination);
    }
    destination.count += observation.count;
    if (observation.tenant)
      destination.tenants.set(
        observation.tenant,
        (destination.tenants.get(observation.tenant) ?? 0) + observation.count,
      );
    if (observation.time) {
      // RFC 3339 UTC times compare as strings.
      if (destination.firstSeen === undefined || observation.time < destination.firstSeen)
        destination.firstSeen = observation.time;
      if (destination.lastSeen === undefined || observation.time > destination.lastSeen)
        destination.lastSeen = observation.time;
    }
  }

  leave(reason: LeftOut, name: string, count = 1): void {
    let names = this.leftOut.get(reason);
    if (!names) this.leftOut.set(reason, (names = new Map()));
    if (names.has(name) || names.size < MAX_DESTINATIONS) names.set(name, (names.get(name) ?? 0) + count);
    else this.dropped += count;
  }
}
