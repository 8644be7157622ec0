import { Document, isMap, isSeq, YAMLMap, YAMLSeq } from "yaml";
import { CONFIG_NAMESPACE } from "../stacks/load-config";
import { documentText } from "./promotion";
import type { RoutingMode } from "../stacks/routing-modes";
import type { Destination, LeftOut, Observations } from "./discover-observations";

/**
 * The registry that would allow exactly what was observed: one service per host with a proposed mode and
 * the reason, the tenants' allow lists, counts and first/last seen as comments, and everything left out
 * listed. Written as a stack file's `config:` so it renders as is and `--stack` can merge it like promote.
 */

export interface ProposedService {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly mode: RoutingMode;
  readonly reason: string;
  readonly warning?: string;
  readonly count: number;
  readonly firstSeen?: string;
  readonly lastSeen?: string;
  readonly tenants: ReadonlyMap<string, number>;
}

export interface Proposal {
  readonly services: readonly ProposedService[];
  readonly tenants: ReadonlyMap<string, readonly string[]>;
  /** Left-out names by reason, with counts; CDN families as `*.<parent> (N hosts)`. */
  readonly leftOut: ReadonlyMap<LeftOut | "cdn", ReadonlyMap<string, number>>;
}

/** This many distinct hosts under one parent domain is a CDN or a sharded API: listed, not registered host by host. */
export const CDN_HOSTS = 8;

const parentOf = (host: string): string => host.slice(host.indexOf(".") + 1);

/** A DNS-1123 label from a host, unique among `taken`. */
function serviceName(host: string, taken: Set<string>): string {
  const base = host.replace(/\./g, "-").slice(0, 60).replace(/-+$/, "");
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base.slice(0, 60 - String(i).length - 1)}-${i}`;
  taken.add(name);
  return name;
}

/** TLS on a port → passthrough-mtls on it; plain HTTP only → originate to 443, with a warning. */
function proposeMode(
  host: string,
  seen: readonly Destination[],
): Pick<ProposedService, "mode" | "port" | "reason" | "warning"> {
  const busiest = (traffic: "tls" | "http") =>
    seen.filter((d) => d.traffic === traffic).sort((a, b) => b.count - a.count)[0];
  const tls = busiest("tls");
  const http = busiest("http");
  if (tls) {
    return {
      mode: "passthrough-mtls",
      port: tls.port,
      reason: `TLS on ${tls.port}: the app speaks TLS itself, the gateway checks the caller and the SNI`,
      ...(http
        ? { warning: `plain HTTP on ${http.port} was seen too: move the app to https://${host}` }
        : {}),
    };
  }
  return {
    mode: "originate",
    port: 443,
    reason: `plain HTTP from the app (port ${http?.port ?? 80}): the gateway originates TLS to 443 and verifies ${host}`,
    warning: `check that ${host} serves TLS on 443 with a certificate for its name before enforcing`,
  };
}

/** Groups what was observed into services, tenants' grants and the left-out lists. */
export function buildProposal(observations: Observations, takenNames: readonly string[] = []): Proposal {
  const byHost = new Map<string, Destination[]>();
  for (const d of observations.destinations.values()) byHost.set(d.host, [...(byHost.get(d.host) ?? []), d]);
  const leftOut = new Map<LeftOut | "cdn", Map<string, number>>(
    [...observations.leftOut].map(([reason, names]) => [reason, new Map(names)]),
  );
  const families = new Map<string, string[]>();
  for (const host of byHost.keys())
    families.set(parentOf(host), [...(families.get(parentOf(host)) ?? []), host]);
  const cdn = new Map<string, number>();
  for (const [parent, hosts] of families) {
    if (hosts.length < CDN_HOSTS) continue;
    const count = hosts.reduce((sum, h) => sum + (byHost.get(h) ?? []).reduce((s, d) => s + d.count, 0), 0);
    cdn.set(`*.${parent} (${hosts.length} hosts)`, count);
    hosts.forEach((h) => byHost.delete(h));
  }
  if (cdn.size > 0) leftOut.set("cdn", cdn);

  const taken = new Set(takenNames);
  const services = [...byHost.keys()].sort().map((host): ProposedService => {
    const seen = byHost.get(host) ?? [];
    const tenants = new Map<string, number>();
    for (const d of seen) for (const [t, c] of d.tenants) tenants.set(t, (tenants.get(t) ?? 0) + c);
    const times = seen
      .flatMap((d) => [d.firstSeen, d.lastSeen])
      .filter((t): t is string => t !== undefined)
      .sort();
    return {
      name: serviceName(host, taken),
      host,
      ...proposeMode(host, seen),
      count: seen.reduce((s, d) => s + d.count, 0),
      tenants,
      ...(times.length > 0
        ? { firstSeen: times[0] as string, lastSeen: times[times.length - 1] as string }
        : {}),
    };
  });
  const grants = new Map<string, string[]>();
  for (const s of services)
    for (const t of s.tenants.keys()) grants.set(t, [...(grants.get(t) ?? []), s.name]);
  return {
    services,
    tenants: new Map([...grants].sort(([a], [b]) => a.localeCompare(b))),
    leftOut,
  };
}

const LEFT_OUT_TITLES: Readonly<Record<LeftOut | "cdn", string>> = {
  registered: "already registered",
  "in-cluster": "in-cluster names",
  "private-address": "private addresses",
  "ip-only": "IP-only destinations (no host name: register the name the app uses)",
  cdn: "CDNs and sharded hosts (register the few the app needs)",
  "health-check": "health checks",
  inbound: "inbound traffic",
  "not-a-host": "names that are not registrable hosts",
};

const plural = (n: number, word: string) => `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;

/** The proposal as a stack file's `config:` (a dev stack when standalone), comments carrying the evidence. */
export function proposalDocument(
  proposal: Proposal,
  observations: Observations,
  options: { standalone: boolean; source: string },
): Document {
  const doc = new Document({
    config: {
      ...(options.standalone ? { [`${CONFIG_NAMESPACE}:environment`]: "dev" } : {}),
      [`${CONFIG_NAMESPACE}:services`]: proposal.services.map((s) => ({
        name: s.name,
        description: `Discovered: ${s.host}`,
        hosts: [s.host],
        ...(s.port !== 443 ? { port: s.port } : {}),
        mode: s.mode,
      })),
      [`${CONFIG_NAMESPACE}:tenants`]: [...proposal.tenants].map(([namespace, allow]) => ({
        namespace,
        allow,
      })),
    },
  });
  const services = doc.getIn(["config", `${CONFIG_NAMESPACE}:services`], true) as YAMLSeq;
  services.items.forEach((item, i) => {
    const s = proposal.services[i] as ProposedService;
    const callers = [...s.tenants].map(([t, c]) => `${t} ${c.toLocaleString("en-US")}`).join(", ");
    if (!isMap(item)) return;
    (item.get("hosts", true) as unknown as YAMLSeq).flow = true;
    item.commentBefore = [
      ` seen ${plural(s.count, "time")}${callers ? ` (${callers})` : " (callers unknown: name each log's namespace, ns=path)"}`,
      ...(s.firstSeen ? [` first ${s.firstSeen}, last ${s.lastSeen}`] : []),
      ` mode: ${s.reason}`,
      ...(s.warning ? [` WARNING: ${s.warning}`] : []),
    ].join("\n");
  });
  const tenants = doc.getIn(["config", `${CONFIG_NAMESPACE}:tenants`], true);
  if (isSeq(tenants))
    for (const t of tenants.items)
      if (isMap(t)) ((t as YAMLMap).get("allow", true) as unknown as YAMLSeq).flow = true;
  doc.commentBefore = [
    ` mesh-egress discover: ${options.source}`,
    ` ${plural(observations.lines, "line")} read, ${plural(observations.malformed, "malformed line")}, ${plural(observations.other, "other line")} (not access log lines), ${plural(observations.outsideWindow, "line")} before the window${observations.dropped ? `, ${plural(observations.dropped, "observation")} over the limit of distinct destinations (counted, not listed)` : ""}`,
    ...(options.standalone
      ? [
          " A dev stack to try the registry in; copy services and tenants into your own stack, or run with --stack.",
        ]
      : []),
  ].join("\n");
  const leftLines: string[] = [];
  for (const [reason, names] of proposal.leftOut) {
    if (names.size === 0) continue;
    const total = [...names.values()].reduce((a, b) => a + b, 0);
    leftLines.push(` Left out, ${LEFT_OUT_TITLES[reason]}: ${plural(total, "observation")}`);
    const top = [...names].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 20);
    for (const [name, count] of top) leftLines.push(`   ${name} ${count.toLocaleString("en-US")}`);
    if (names.size > top.length) leftLines.push(`   … and ${plural(names.size - top.length, "more name")}`);
  }
  if (leftLines.length > 0) doc.comment = leftLines.join("\n");
  return doc;
}

/** The fragment's text, in the project's YAML style. */
export function proposalText(
  proposal: Proposal,
  observations: Observations,
  options: { standalone: boolean; source: string },
): string {
  return documentText(proposalDocument(proposal, observations, options));
}
