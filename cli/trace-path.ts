import {
  BREAK_GLASS_LABEL,
  EXPIRES_AT_ANNOTATION,
  KIND,
  KubernetesObject,
  parseRfc3339,
  SERVICE_LABEL,
} from "../policy/contract";
import { isBreakGlassObject } from "../policy/mesh/break-glass-objects";
import { meshConfigSources } from "../policy/mesh/mesh-config";
import { describeMesh, MeshOverrides } from "../policy/mesh/mesh-inference";
import { GatewayServer, VirtualRoute } from "../policy/mesh/mesh-object-readers";
import { isGatewayServiceHost, serversFor } from "../policy/mesh/mesh-queries";
import type { MeshTopology } from "../policy/mesh/mesh-topology";
import {
  annotationsOf,
  dig,
  Fields,
  fieldsList,
  integer,
  labelsOf,
  nameOf,
  namespaceOf,
  ofKind,
  specOf,
  splitNamespacedHost,
  stringMap,
  text,
  texts,
} from "../policy/mesh/object-fields";
import { authorizeAtGateway } from "./trace-authorization";
import {
  adminEgressToInternet,
  egressToInternet,
  egressToPods,
  ingressFromNamespace,
} from "./trace-network-policy";
import { rateLimitBucket } from "./trace-rate-limit";

/**
 * `mesh-egress trace`: one connection walked hop by hop as Istio 1.30 and Kubernetes decide it, over the
 * same mesh readers and predicates the policy pack uses (describeMesh, serversFor, isGatewayServiceHost,
 * policyAppliesToGateway, egressReach), so trace, lint and report read the objects alike.
 */

export interface TraceRequest {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly host: string;
  /** The port the app dials; the registered mesh route's port when absent. */
  readonly port?: number;
  /** Break-glass objects expired at this instant (ms) are gone; the clock when absent. */
  readonly now?: number;
}

export type HopVerdict = "pass" | "deny" | "bypass" | "note";

export interface TraceHop {
  readonly hop: string;
  /** The deciding object, `Kind ns/name`, when one decides. */
  readonly object?: string;
  readonly verdict: HopVerdict;
  readonly detail: string;
}

export type TraceOutcome =
  | { readonly kind: "allowed"; readonly summary: string }
  | {
      readonly kind: "denied";
      readonly hop: string;
      readonly object?: string;
      readonly reason: string;
      readonly fix: string;
    }
  | {
      readonly kind: "bypass";
      /** Named like the lint finding that reports the same gap. */
      readonly finding: string;
      readonly object?: string;
      readonly reason: string;
      readonly fix: string;
    };

export interface TraceResult {
  readonly from: string;
  readonly to: string;
  readonly gatewayNamespace?: string;
  readonly hops: readonly TraceHop[];
  readonly outcome: TraceOutcome;
}

export const describeObject = (o: KubernetesObject): string =>
  `${o.kind} ${namespaceOf(o) ? `${namespaceOf(o)}/` : ""}${nameOf(o)}`;

/** Istio's DNS wildcard: `*.example.com` covers `api.example.com` (and deeper); `*` covers every host. */
export function hostCovers(pattern: string, host: string): boolean {
  if (pattern === "*" || pattern === host) return true;
  return pattern.startsWith("*.") && host.endsWith(pattern.slice(1));
}

/** exportTo as Istio reads it: absent or `*` every namespace, `.` its own, `~` none, else the names listed. */
export function exportedTo(object: KubernetesObject, namespace: string): boolean {
  const exportTo = texts(specOf(object).exportTo);
  if (exportTo.length === 0) return true;
  return exportTo.some((e) => e === "*" || (e === "." ? namespaceOf(object) === namespace : e === namespace));
}

/** Break-glass objects expired at `now` are what a cluster no longer holds (or should not): leave them out. */
export function activeAt(
  objects: readonly KubernetesObject[],
  now: number,
): {
  active: KubernetesObject[];
  expired: KubernetesObject[];
} {
  const active: KubernetesObject[] = [];
  const expired: KubernetesObject[] = [];
  for (const o of objects) {
    const expiry = isBreakGlassObject(o)
      ? parseRfc3339(annotationsOf(o)[EXPIRES_AT_ANNOTATION] ?? "")
      : undefined;
    if (expiry !== undefined && expiry <= now) expired.push(o);
    else active.push(o);
  }
  return { active, expired };
}

/** The namespace-wide Sidecar that configures the caller: its namespace's, else the root namespace's. */
function callerSidecar(mesh: MeshTopology, namespace: string): KubernetesObject | undefined {
  const namespaceWide = ofKind(mesh.objects, KIND.Sidecar).filter(
    (s) => Object.keys(stringMap(dig(s.spec, "workloadSelector", "labels"))).length === 0,
  );
  return (
    namespaceWide.find((s) => namespaceOf(s) === namespace) ??
    namespaceWide.find((s) => namespaceOf(s) === mesh.rootNamespace)
  );
}

/** Whether a Sidecar's egress hosts import `host` from `serviceNamespace` (Istio's hostClassification.Matches). */
function sidecarImports(sidecar: KubernetesObject | undefined, serviceNamespace: string, host: string) {
  if (!sidecar) return true;
  const imports = fieldsList(specOf(sidecar).egress).flatMap((e) => texts(e.hosts));
  if (imports.length === 0) return true;
  return imports.map(splitNamespacedHost).some(({ namespace, host: pattern }) => {
    const ns = namespace === "." ? namespaceOf(sidecar) : namespace;
    if (ns !== "*" && ns !== serviceNamespace) return false;
    // The registered host must be a subset of the import: `ns/api.x.com` does not import `*.x.com`.
    return pattern.startsWith("*") || !host.startsWith("*") ? hostCovers(pattern, host) : false;
  });
}

interface RegistryEntry {
  readonly entry: KubernetesObject;
  readonly host: string;
}

/** ServiceEntries whose hosts cover `host`, the exact host before a wildcard one, each with the host it matched. */
function entriesCovering(mesh: MeshTopology, host: string): RegistryEntry[] {
  const out: RegistryEntry[] = [];
  for (const entry of ofKind(mesh.objects, KIND.ServiceEntry)) {
    const hosts = texts(specOf(entry).hosts).filter((h) => hostCovers(h, host));
    if (hosts.length > 0) out.push({ entry, host: hosts.includes(host) ? host : (hosts[0] as string) });
  }
  return out.sort((a, b) => Number(a.host !== host) - Number(b.host !== host));
}

function entryPorts(entry: KubernetesObject): { number: number; protocol: string }[] {
  return fieldsList(specOf(entry).ports).flatMap((p) => {
    const number = integer(p.number);
    return number === undefined ? [] : [{ number, protocol: (text(p.protocol) ?? "TCP").toUpperCase() }];
  });
}

const HTTP_PORT_PROTOCOLS = new Set(["HTTP", "HTTP2", "GRPC"]);

/** Which VirtualService routes a port of this protocol uses: HTTP ports http routes, TLS ports tls then tcp. */
function routeKinds(protocol: string): readonly VirtualRoute["protocol"][] {
  if (HTTP_PORT_PROTOCOLS.has(protocol)) return ["http"];
  if (protocol === "TLS" || protocol === "HTTPS") return ["tls", "tcp"];
  return ["tcp"];
}

/**
 * The first route of a VirtualService visible to the proxies of `visibleTo` for `host` bound to `gatewayRef`
 * that matches `port` and, when its matches name a `sourceNamespace`, those proxies' namespace.
 */
function firstRoute(
  mesh: MeshTopology,
  host: string,
  port: number,
  gatewayRef: string,
  kinds: readonly VirtualRoute["protocol"][],
  visibleTo: string,
): VirtualRoute | undefined {
  return mesh.routes.find(
    (r) =>
      kinds.includes(r.protocol) &&
      exportedTo(r.virtualService, visibleTo) &&
      r.gateways.includes(gatewayRef) &&
      r.hosts.some((h) => hostCovers(h, host)) &&
      (r.sourceNamespaces.length === 0 || r.sourceNamespaces.includes(visibleTo)) &&
      (r.ports.length === 0 || r.ports.includes(port)) &&
      (r.protocol !== "tls" || r.sniHosts.length === 0 || r.sniHosts.some((h) => hostCovers(h, host))),
  );
}

/** The DestinationRule a namespace's proxies use for `host`: their own namespace's, then the host's, then root's. */
function destinationRuleFor(
  mesh: MeshTopology,
  matches: (ruleHost: string) => boolean,
  visibleTo: string,
  hostNamespace: string | undefined,
): KubernetesObject | undefined {
  const rules = ofKind(mesh.objects, KIND.DestinationRule).filter(
    (r) => matches(text(specOf(r).host) ?? "") && exportedTo(r, visibleTo),
  );
  return (
    rules.find((r) => namespaceOf(r) === visibleTo) ??
    rules.find((r) => namespaceOf(r) === hostNamespace) ??
    rules.find((r) => namespaceOf(r) === mesh.rootNamespace) ??
    rules[0]
  );
}

/** A traffic policy's TLS settings for `port`: the port-level ones, else the policy's own. */
function tlsFor(policy: unknown, port: number): Fields | undefined {
  const portLevel = fieldsList(dig(policy, "portLevelSettings")).find(
    (s) => integer(dig(s, "port", "number")) === port,
  );
  const tls = dig(portLevel, "tls") ?? dig(policy, "tls");
  return tls === undefined ? undefined : (tls as Fields);
}

/** The service name a platform object belongs to, for fixes phrased as config (`tenants[].allow`). */
function serviceOf(object: KubernetesObject | undefined): string | undefined {
  return object ? (labelsOf(object)[SERVICE_LABEL] ?? nameOf(object)) : undefined;
}

class Walk {
  readonly hops: TraceHop[] = [];
  add(hop: string, verdict: HopVerdict, detail: string, object?: KubernetesObject): void {
    this.hops.push({ hop, verdict, detail, ...(object ? { object: describeObject(object) } : {}) });
  }
}

/** Traces one connection over the objects (render, manifests or a live cluster). */
export function tracePath(
  input: readonly KubernetesObject[],
  request: TraceRequest,
  overrides: MeshOverrides = {},
): TraceResult {
  const now = request.now ?? Date.now();
  const { active, expired } = activeAt(input, now);
  const mesh = describeMesh(active, overrides);
  const walk = new Walk();
  const { namespace, host } = request;
  const principal = `cluster.local/ns/${namespace}/sa/${request.serviceAccount}`;
  const from = `${namespace}/${request.serviceAccount}`;
  const gatewayNamespace = mesh.gatewayNamespace;
  const finish = (outcome: TraceOutcome, port: number): TraceResult => ({
    from,
    to: `${host}:${port}`,
    ...(gatewayNamespace ? { gatewayNamespace } : {}),
    hops: walk.hops,
    outcome,
  });

  for (const o of expired) {
    walk.add(
      "break-glass",
      "note",
      `entry ${labelsOf(o)[BREAK_GLASS_LABEL]} expired at ${annotationsOf(o)[EXPIRES_AT_ANNOTATION]}: ignored`,
      o,
    );
  }

  // 1. The caller's Sidecar: what it imports and where unregistered traffic goes.
  const sidecar = callerSidecar(mesh, namespace);
  const meshMode = meshConfigSources(active)
    .map((s) => text(dig(s.meshConfig, "outboundTrafficPolicy", "mode")))
    .find((m) => m !== undefined);
  const sidecarMode = sidecar ? text(dig(sidecar.spec, "outboundTrafficPolicy", "mode")) : undefined;
  // istiod's own default is ALLOW_ANY (meshConfig.outboundTrafficPolicy).
  const outboundMode = sidecarMode ?? meshMode ?? "ALLOW_ANY";
  walk.add(
    "sidecar",
    outboundMode === "REGISTRY_ONLY" ? "pass" : "note",
    sidecar
      ? `outbound ${outboundMode}${sidecarMode ? "" : " (the mesh default)"}; egress hosts ${
          fieldsList(specOf(sidecar).egress)
            .flatMap((e) => texts(e.hosts))
            .join(", ") || "every exported host"
        }`
      : `no namespace-wide Sidecar: outbound ${outboundMode} (the mesh default), every exported host imported`,
    sidecar,
  );

  // 2. The registry entry the caller sees.
  const candidates = entriesCovering(mesh, host);
  const visible = candidates.filter(
    (c) =>
      exportedTo(c.entry, namespace) && sidecarImports(sidecar, namespaceOf(c.entry) ?? "default", c.host),
  );
  // Same host from several namespaces: the caller's own namespace wins, else the first (oldest) one
  // (pilot/pkg/model/sidecar.go selectServices, Istio 1.30.3).
  const chosen = visible.find((c) => namespaceOf(c.entry) === namespace) ?? visible[0];
  const platformEntry = candidates.find((c) => namespaceOf(c.entry) === gatewayNamespace)?.entry;
  const defaultPort = (() => {
    if (request.port !== undefined) return request.port;
    const meshRoute = mesh.routes.find(
      (r) =>
        r.gateways.includes("mesh") &&
        r.hosts.some((h) => hostCovers(h, host)) &&
        (r.sourceNamespaces.length === 0 || r.sourceNamespaces.includes(namespace)) &&
        r.ports.length > 0,
    );
    return meshRoute?.ports[0] ?? (chosen ? entryPorts(chosen.entry)[0]?.number : undefined) ?? 443;
  })();
  const port = defaultPort;
  const grantFix = (service: string | undefined) =>
    service
      ? `add ${service} to the allow list of tenant ${namespace} (tenants[].allow in the stack file)`
      : `register ${host} (a service with hosts [${host}] in the stack file; \`mesh-egress discover\` proposes one) and add it to the allow list of tenant ${namespace}`;

  // Where traffic that leaves the sidecar straight for the host ends up: the NetworkPolicies decide.
  const direct = directReach(mesh, namespace, port, chosen?.entry);
  // The hop that sends traffic out names the finding; a break-glass entry that opened the way names itself.
  const bypassOutcome = (cause: string, finding: string): TraceOutcome => ({
    kind: "bypass",
    finding: direct.finding?.startsWith("break-glass") ? direct.finding : finding,
    ...(direct.object ? { object: direct.object } : {}),
    reason: `${cause}; ${direct.detail}`,
    fix: direct.fix,
  });
  const straightOut = (cause: string, finding: string, hop: string): TraceResult => {
    walk.add(
      "tenant network policy (direct)",
      direct.open ? "bypass" : "deny",
      direct.detail,
      direct.decider,
    );
    if (direct.open) return finish(bypassOutcome(cause, finding), port);
    return finish(
      {
        kind: "denied",
        hop,
        ...(direct.object ? { object: direct.object } : {}),
        reason: `${cause}, and ${direct.detail}`,
        fix: grantFix(serviceOf(platformEntry)),
      },
      port,
    );
  };
  // A pod that skips its sidecar (or has none) meets only the NetworkPolicies: a bypass whatever the mesh says.
  const sidecarless = (): TraceResult | undefined => {
    if (!direct.open) return undefined;
    walk.add("tenant network policy (direct)", "bypass", direct.detail, direct.decider);
    return finish(
      bypassOutcome(
        "a pod without its sidecar goes straight out",
        direct.finding ?? "tenant-egress-default-deny",
      ),
      port,
    );
  };

  if (!chosen) {
    const hidden = candidates[0]?.entry;
    const why = hidden
      ? exportedTo(hidden, namespace)
        ? `${describeObject(hidden)} registers ${host} but the Sidecar does not import it`
        : `${describeObject(hidden)} registers ${host} but is not exported to ${namespace}`
      : `no ServiceEntry registers ${host}`;
    if (outboundMode === "REGISTRY_ONLY") {
      walk.add("registry", "deny", `${why}: the sidecar sends it to BlackHoleCluster`, hidden ?? sidecar);
      return (
        sidecarless() ??
        finish(
          {
            kind: "denied",
            hop: "registry",
            ...((hidden ?? sidecar)
              ? { object: describeObject((hidden ?? sidecar) as KubernetesObject) }
              : {}),
            reason: `${why}, and the Sidecar is REGISTRY_ONLY`,
            fix: grantFix(serviceOf(platformEntry)),
          },
          port,
        )
      );
    }
    walk.add(
      "registry",
      "bypass",
      `${why}: ALLOW_ANY sends it to PassthroughCluster, straight out`,
      hidden ?? sidecar,
    );
    return straightOut(
      `the sidecar passes ${host} straight out (ALLOW_ANY)`,
      "sidecar-registry-only",
      "tenant network policy (direct)",
    );
  }
  const ports = entryPorts(chosen.entry);
  const entryPort = ports.find((p) => p.number === port);
  walk.add(
    "registry",
    entryPort ? "pass" : "deny",
    `${chosen.host === host ? host : `${host} (by wildcard ${chosen.host})`} exported to ${namespace}, ports ${ports.map((p) => `${p.number}/${p.protocol}`).join(", ")}`,
    chosen.entry,
  );
  if (!entryPort) {
    return (
      sidecarless() ??
      finish(
        {
          kind: "denied",
          hop: "registry",
          object: describeObject(chosen.entry),
          reason: `${describeObject(chosen.entry)} has no port ${port}`,
          fix: `dial one of ports ${ports.map((p) => p.number).join(", ")}`,
        },
        port,
      )
    );
  }

  // 3. The mesh route: to the gateway, with the subset that carries the host as SNI.
  const meshRoute = firstRoute(mesh, host, port, "mesh", routeKinds(entryPort.protocol), namespace);
  const toGateway = meshRoute?.destinations.find((d) =>
    isGatewayServiceHost(mesh, d.host, namespaceOf(meshRoute.virtualService)),
  );
  if (!meshRoute || !toGateway) {
    walk.add(
      "mesh route",
      "bypass",
      meshRoute
        ? `routes ${host}:${port} to ${meshRoute.destinations.map((d) => d.host).join(", ")}, not to the egress gateway`
        : `no VirtualService visible to ${namespace} routes ${host}:${port}: the sidecar connects to the host itself`,
      meshRoute?.virtualService ?? chosen.entry,
    );
    return straightOut(
      `no mesh route sends ${host}:${port} to the gateway`,
      "mesh-routes-external-hosts-via-gateway",
      "mesh route",
    );
  }
  const gatewayPort = toGateway.port ?? port;
  walk.add(
    "mesh route",
    "pass",
    `${meshRoute.protocol} route${meshRoute.name ? ` ${meshRoute.name}` : ""} → ${toGateway.host}:${gatewayPort}${toGateway.subset ? ` subset ${toGateway.subset}` : ""}`,
    meshRoute.virtualService,
  );
  const denied = (
    hop: string,
    object: KubernetesObject | undefined,
    reason: string,
    fix: string,
  ): TraceResult =>
    sidecarless() ??
    finish({ kind: "denied", hop, ...(object ? { object: describeObject(object) } : {}), reason, fix }, port);

  const gatewayHost = (h: string) => isGatewayServiceHost(mesh, h, namespace);
  const gatewayRule = destinationRuleFor(mesh, gatewayHost, namespace, gatewayNamespace);
  const subset = fieldsList(gatewayRule ? specOf(gatewayRule).subsets : []).find(
    (s) => text(s.name) === toGateway.subset,
  );
  if (toGateway.subset && !subset) {
    walk.add(
      "subset",
      "deny",
      `no subset ${toGateway.subset} for the gateway host: Envoy answers 503 (NR)`,
      gatewayRule,
    );
    return denied(
      "subset",
      gatewayRule,
      `subset ${toGateway.subset} is not defined for the gateway host`,
      `define subset ${toGateway.subset} in the gateway's DestinationRule`,
    );
  }
  const subsetTls =
    tlsFor(subset?.trafficPolicy, gatewayPort) ??
    tlsFor(gatewayRule ? specOf(gatewayRule).trafficPolicy : undefined, gatewayPort);
  const tlsMode = text(subsetTls?.mode) ?? "DISABLE";
  const sni = text(subsetTls?.sni);
  const mutual = tlsMode === "ISTIO_MUTUAL";
  // The SNI the gateway sees: an ISTIO_MUTUAL subset's tls.sni, sent verbatim (a passthrough-mtls tenant's
  // own `<tenant>.<host>.mesh-egress.invalid`), else the app's own, the host. The gateway builds a filter
  // chain per TLS server matching its hosts as SNI, so an SNI no server lists finds no chain.
  const gatewaySni = mutual && sni !== undefined ? sni : host;
  if (mutual && sni !== undefined && serversFor(mesh, sni).length === 0) {
    walk.add(
      "subset",
      "deny",
      `ISTIO_MUTUAL with sni ${sni}: no egress Gateway server lists it, so no gateway filter chain takes it`,
      gatewayRule,
    );
    return denied(
      "subset",
      gatewayRule,
      `the subset sends SNI ${sni}, which no egress Gateway server lists as a host`,
      `set subset ${toGateway.subset ?? "(default)"}'s tls.sni to a host of the gateway server for ${host}`,
    );
  }
  walk.add(
    "subset",
    "pass",
    mutual
      ? `ISTIO_MUTUAL, sni ${sni ?? "(none)"}: the gateway sees ${principal}`
      : `${tlsMode}: the gateway sees no workload identity`,
    gatewayRule,
  );

  // 4. The tenant's NetworkPolicy towards the gateway pods.
  const toPods = egressToPods(
    active,
    namespace,
    { namespace: gatewayNamespace ?? "", labels: mesh.gatewayLabels },
    gatewayPort,
  );
  walk.add(
    "tenant network policy",
    toPods.allowed ? "pass" : "deny",
    toPods.allowed
      ? toPods.object
        ? `allows the gateway pods on ${gatewayPort}`
        : "no NetworkPolicy restricts the namespace's egress"
      : `no egress rule reaches the gateway pods on ${gatewayPort}`,
    toPods.object,
  );
  if (!toPods.allowed) {
    return denied(
      "tenant network policy",
      toPods.object,
      `egress to the gateway pods on ${gatewayPort} is not allowed`,
      `allow egress to namespace ${gatewayNamespace} pods ${Object.entries(mesh.gatewayLabels)
        .map(([k, v]) => `${k}=${v}`)
        .join(",")} on TCP ${gatewayPort}`,
    );
  }

  // 5. The gateway's server and its route out.
  const server = serversFor(mesh, gatewaySni)
    .filter((s) => s.port === gatewayPort)
    .find((s) => s.hosts.some((h) => hostCovers(h.host, gatewaySni)));
  const serverTlsOk = (s: GatewayServer) =>
    mutual ? s.tlsMode === "ISTIO_MUTUAL" : s.tlsMode !== "ISTIO_MUTUAL";
  if (!server || !serverTlsOk(server)) {
    const why = server
      ? `server ${server.name ?? ""} expects ${server.tlsMode ?? "no TLS"} but the sidecar sends ${tlsMode}`
      : `no egress Gateway server for ${gatewaySni} on port ${gatewayPort}`;
    walk.add("gateway server", "deny", why, server?.gateway);
    return denied(
      "gateway server",
      server?.gateway,
      why,
      `add a Gateway server for ${gatewayNamespace}/${gatewaySni} on port ${gatewayPort} with tls.mode ${mutual ? "ISTIO_MUTUAL" : "PASSTHROUGH"}`,
    );
  }
  walk.add(
    "gateway server",
    "pass",
    `${server.protocol} ${server.port} ${server.tlsMode ?? ""} for ${server.hosts.map((h) => `${h.namespace ?? "*"}/${h.host}`).join(", ")}`.replace(
      / {2}/g,
      " ",
    ),
    server.gateway,
  );
  const gatewayRef = `${namespaceOf(server.gateway) ?? "default"}/${nameOf(server.gateway)}`;
  const gatewayKinds: VirtualRoute["protocol"][] = server.carriesHttp
    ? ["http"]
    : server.tlsMode === "ISTIO_MUTUAL"
      ? ["tcp", "tls"]
      : ["tls", "tcp"];
  // On HTTP the gateway routes by the Host header (the host); on TLS and TCP by the SNI its chain matched.
  const routeHost = server.carriesHttp ? host : gatewaySni;
  const outRoute = firstRoute(mesh, routeHost, gatewayPort, gatewayRef, gatewayKinds, gatewayNamespace ?? "");
  const upstream = outRoute?.destinations[0];
  if (!outRoute || !upstream || !hostCovers(upstream.host, host)) {
    const why = outRoute
      ? `routes ${routeHost} to ${upstream?.host ?? "nothing"}, not ${host}`
      : `no route bound to ${gatewayRef} for ${routeHost}:${gatewayPort}`;
    walk.add("gateway route", "deny", why, outRoute?.virtualService ?? server.gateway);
    return denied(
      "gateway route",
      outRoute?.virtualService ?? server.gateway,
      why,
      `bind a VirtualService route for ${routeHost} to ${gatewayRef} that sends it to ${host}`,
    );
  }
  const upstreamPort = upstream.port ?? gatewayPort;
  walk.add(
    "gateway route",
    "pass",
    `${outRoute.protocol} route${outRoute.name ? ` ${outRoute.name}` : ""} → ${upstream.host}:${upstreamPort}`,
    outRoute.virtualService,
  );

  // 6. The gateway's NetworkPolicy admitting the tenant.
  const admitted = ingressFromNamespace(
    active,
    gatewayNamespace ?? "",
    mesh.gatewayLabels,
    namespace,
    gatewayPort,
  );
  walk.add(
    "gateway network policy (in)",
    admitted.allowed ? "pass" : "deny",
    admitted.allowed
      ? `admits ${namespace} on ${gatewayPort}`
      : `admits no traffic from ${namespace} on ${gatewayPort}`,
    admitted.object,
  );
  if (!admitted.allowed) {
    return denied(
      "gateway network policy (in)",
      admitted.object,
      `the gateway pods admit nothing from ${namespace} on ${gatewayPort}`,
      `list ${namespace} among the gateway NetworkPolicy's ingress namespaces (a tenant of the stack)`,
    );
  }

  // 7. Authorization at the gateway, for the caller's identity on this host and port.
  const authorization = authorizeAtGateway(mesh, {
    ...(mutual ? { identity: { namespace, principal } } : {}),
    host,
    sni: gatewaySni,
    port: gatewayPort,
    http: server.carriesHttp,
  });
  walk.add(
    "authorization",
    authorization.allowed ? "pass" : "deny",
    `${authorization.reason} for ${mutual ? principal : "an identity-less connection"} on ${host}:${gatewayPort}${gatewaySni === host ? "" : ` (SNI ${gatewaySni})`}`,
    authorization.object,
  );
  if (!authorization.allowed) {
    return denied(
      "authorization",
      authorization.object,
      `${authorization.reason} for ${namespace} on ${host}:${gatewayPort}`,
      grantFix(serviceOf(chosen.entry)),
    );
  }

  // 8. The rate limit bucket this traffic spends.
  const service = labelsOf(chosen.entry)[SERVICE_LABEL];
  const bucket = rateLimitBucket(mesh, {
    tenant: namespace,
    ...(service ? { service } : {}),
    host: server.carriesHttp ? host : gatewaySni,
    port: gatewayPort,
    http: server.carriesHttp,
  });
  walk.add("rate limit", "note", bucket.bucket, bucket.object);

  // 9. Origination towards the host.
  if (outRoute.protocol === "http") {
    const origination = destinationRuleFor(
      mesh,
      (h) => hostCovers(h, host),
      gatewayNamespace ?? "",
      namespaceOf(chosen.entry),
    );
    const tls = tlsFor(origination ? specOf(origination).trafficPolicy : undefined, upstreamPort);
    const mode = text(tls?.mode);
    if (mode !== "SIMPLE" && mode !== "MUTUAL") {
      walk.add(
        "origination",
        "deny",
        `no TLS towards ${host}:${upstreamPort}: the gateway would send the request in plain text`,
        origination ?? outRoute.virtualService,
      );
      return denied(
        "origination",
        origination ?? outRoute.virtualService,
        `the gateway originates no TLS to ${host}:${upstreamPort}`,
        `give ${host} a DestinationRule in ${gatewayNamespace} with tls.mode SIMPLE (or MUTUAL), sni and subjectAltNames (origination-tls-not-disabled)`,
      );
    }
    const roots =
      texts([tls?.caCertificates]).length > 0
        ? "roots from caCertificates"
        : text(tls?.credentialName)
          ? `roots from secret ${text(tls?.credentialName)}-cacert (else the system roots)`
          : "the system roots";
    const skip = tls?.insecureSkipVerify === true;
    walk.add(
      "origination",
      skip ? "deny" : "pass",
      `${mode}, SNI ${text(tls?.sni) ?? "(none)"}, SANs ${texts(tls?.subjectAltNames).join(", ") || "(none)"}, ${roots}${mode === "MUTUAL" ? `, client certificate ${text(tls?.credentialName) ?? "(none)"}` : ""}${skip ? "; insecureSkipVerify: the server is not verified" : ""}`,
      origination,
    );
    if (skip)
      return denied(
        "origination",
        origination,
        "the gateway does not verify the server (insecureSkipVerify)",
        "remove insecureSkipVerify (destination-rule-no-insecure-skip-verify)",
      );
  } else {
    walk.add(
      "origination",
      "note",
      "none at the gateway: the app's own TLS goes out end to end",
      chosen.entry,
    );
  }

  // 10. The gateway's way out: its NetworkPolicy and any lock, to the pinned addresses or any public one.
  const pinned =
    text(specOf(chosen.entry).resolution) === "STATIC"
      ? fieldsList(specOf(chosen.entry).endpoints).map((e) => text(e.address) ?? "")
      : [];
  const lock = adminEgressToInternet(active, gatewayNamespace ?? "", upstreamPort);
  const out = egressToInternet(active, gatewayNamespace ?? "", upstreamPort, pinned, mesh.gatewayLabels);
  const where = pinned.length > 0 ? `pinned ${pinned.join(", ")}` : "public addresses";
  if (lock?.action === "Deny") {
    walk.add(
      "gateway network policy (out)",
      "deny",
      `the cluster lock denies the gateway's namespace ${where} on ${upstreamPort}`,
      lock.object,
    );
    return denied(
      "gateway network policy (out)",
      lock.object,
      `the lock denies the gateway ${where} on ${upstreamPort}`,
      `exempt ${gatewayNamespace} from the lock (cluster.lockAllNamespaces)`,
    );
  }
  const opened = lock?.action === "Allow" || out.allowed;
  walk.add(
    "gateway network policy (out)",
    opened ? "pass" : "deny",
    opened ? `allows ${where} on ${upstreamPort}` : `allows no ${where} on ${upstreamPort}`,
    lock?.action === "Allow" ? lock.object : out.object,
  );
  if (!opened) {
    return denied(
      "gateway network policy (out)",
      out.object,
      `the gateway may not reach ${where} on ${upstreamPort}`,
      `allow the gateway egress to ${where} on TCP ${upstreamPort}`,
    );
  }

  // 11. Active break-glass objects that took part.
  for (const o of active.filter(isBreakGlassObject)) {
    if (namespaceOf(o) === namespace || JSON.stringify(o).includes(`"${namespace}"`)) {
      walk.add(
        "break-glass",
        "note",
        `entry ${labelsOf(o)[BREAK_GLASS_LABEL]} active until ${annotationsOf(o)[EXPIRES_AT_ANNOTATION] ?? "(no expiry)"}`,
        o,
      );
    }
  }
  return (
    sidecarless() ?? finish({ kind: "allowed", summary: `allowed through the gateway (${gatewayRef})` }, port)
  );
}

interface DirectReach {
  readonly open: boolean;
  readonly detail: string;
  readonly decider?: KubernetesObject;
  readonly object?: string;
  readonly finding?: string;
  readonly fix: string;
}

/** Whether a pod of `namespace` reaches the host's addresses on `port` with no gateway: the lock, then NetworkPolicies. */
function directReach(
  mesh: MeshTopology,
  namespace: string,
  port: number,
  entry: KubernetesObject | undefined,
): DirectReach {
  const pinned =
    entry && text(specOf(entry).resolution) === "STATIC"
      ? fieldsList(specOf(entry).endpoints).map((e) => text(e.address) ?? "")
      : [];
  const lock = adminEgressToInternet(mesh.objects, namespace, port);
  if (lock?.action === "Deny") {
    return {
      open: false,
      decider: lock.object,
      object: describeObject(lock.object),
      detail: `the cluster lock denies ${namespace} the internet on ${port}`,
      fix: "",
    };
  }
  const reach = egressToInternet(mesh.objects, namespace, port, pinned);
  const decider = lock?.action === "Allow" ? lock.object : reach.object;
  if (lock?.action === "Allow" || reach.allowed) {
    const breakGlass = decider ? labelsOf(decider)[BREAK_GLASS_LABEL] : undefined;
    const finding = breakGlass
      ? `break-glass ${breakGlass} (direct, until ${annotationsOf(decider as KubernetesObject)[EXPIRES_AT_ANNOTATION] ?? "no expiry"})`
      : reach.isolated
        ? "network-policy-no-internet-egress"
        : "tenant-egress-default-deny";
    return {
      open: true,
      ...(decider ? { decider, object: describeObject(decider) } : {}),
      finding,
      detail: decider
        ? `${describeObject(decider)} lets ${namespace} reach public addresses on ${port} directly`
        : `no NetworkPolicy restricts ${namespace}'s egress: its pods reach the internet directly`,
      fix: breakGlass
        ? `let break-glass entry ${breakGlass} expire, or remove it from the stack file`
        : decider
          ? `remove the ipBlock (or the peerless rule) from ${describeObject(decider)} and send external traffic through the egress gateway`
          : `give ${namespace} a NetworkPolicy with podSelector {} and policyTypes [Egress] (a tenant of the stack gets one)`,
    };
  }
  return {
    open: false,
    ...(reach.object ? { decider: reach.object, object: describeObject(reach.object) } : {}),
    detail: `${reach.object ? describeObject(reach.object) : "the namespace's NetworkPolicies"} allow no public address on ${port}`,
    fix: "",
  };
}

/** Every Gateway-routed host a namespace may try, for callers enumerating paths (tests, docs). */
export function registeredHosts(objects: readonly KubernetesObject[]): { host: string; ports: number[] }[] {
  return ofKind(objects, KIND.ServiceEntry).flatMap((entry) =>
    texts(specOf(entry).hosts).map((host) => ({ host, ports: entryPorts(entry).map((p) => p.number) })),
  );
}
