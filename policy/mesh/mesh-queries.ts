import { KIND, KubernetesObject } from "../contract";
import { GatewayServer, HTTP_PROTOCOLS } from "./mesh-object-readers";
import { MeshTopology } from "./mesh-topology";
import {
  fieldsList,
  integer,
  nameOf,
  namespaceOf,
  ofKind,
  selectorLabels,
  selectorMatches,
  specOf,
  text,
  texts,
} from "./object-fields";

/** Questions rules ask of a described mesh: does this policy, host or route concern the egress gateway? */

/**
 * Whether a namespaced, selector-scoped Istio policy (AuthorizationPolicy, Telemetry, EnvoyFilter,
 * PeerAuthentication) applies to the egress gateway's pods: it lives in the gateway namespace or the
 * mesh root namespace, and its selector is empty (namespace- or mesh-wide) or picks the gateway.
 */
export function policyAppliesToGateway(
  mesh: Pick<MeshTopology, "gatewayNamespace" | "rootNamespace" | "gatewayLabels">,
  object: KubernetesObject,
  selector: unknown,
): boolean {
  const namespace = namespaceOf(object);
  const wanted = selectorLabels(selector);
  const empty = Object.keys(wanted).length === 0;
  if (namespace === mesh.rootNamespace) return empty || selectorMatches(wanted, mesh.gatewayLabels);
  if (mesh.gatewayNamespace === undefined) return !empty && selectorMatches(wanted, mesh.gatewayLabels);
  return namespace === mesh.gatewayNamespace && (empty || selectorMatches(wanted, mesh.gatewayLabels));
}

/** Whether a destination host names the egress gateway's Service, as seen from `fromNamespace`. */
export function isGatewayServiceHost(
  mesh: MeshTopology,
  host: string,
  fromNamespace: string | undefined,
): boolean {
  const ns = mesh.gatewayNamespace;
  if (!ns) return false;
  for (const service of mesh.gatewayServiceNames) {
    const forms = [`${service}.${ns}.svc.${mesh.clusterDomain}`, `${service}.${ns}.svc`, `${service}.${ns}`];
    if (forms.includes(host)) return true;
    if (host === service && fromNamespace === ns) return true;
  }
  return false;
}

/** Lookups built once per described mesh, so per-route and per-host questions cost O(1). */
interface MeshLookups {
  readonly egressGatewayRefs: ReadonlySet<string>;
  readonly knownGatewayRefs: ReadonlySet<string>;
  readonly entriesByHost: ReadonlyMap<string, KubernetesObject[]>;
  readonly serversByHost: ReadonlyMap<string, GatewayServer[]>;
}

const lookups = new WeakMap<MeshTopology, MeshLookups>();

function meshLookups(mesh: MeshTopology): MeshLookups {
  const cached = lookups.get(mesh);
  if (cached) return cached;
  const ref = (g: KubernetesObject): string => `${namespaceOf(g) ?? ""}/${nameOf(g)}`;
  const entriesByHost = new Map<string, KubernetesObject[]>();
  for (const entry of ofKind(mesh.objects, KIND.ServiceEntry)) {
    for (const host of new Set(texts(specOf(entry).hosts))) {
      const bucket = entriesByHost.get(host);
      if (bucket) bucket.push(entry);
      else entriesByHost.set(host, [entry]);
    }
  }
  const serversByHost = new Map<string, GatewayServer[]>();
  for (const server of mesh.servers) {
    for (const host of new Set(server.hosts.map((h) => h.host))) {
      const bucket = serversByHost.get(host);
      if (bucket) bucket.push(server);
      else serversByHost.set(host, [server]);
    }
  }
  const built: MeshLookups = {
    serversByHost,
    egressGatewayRefs: new Set(mesh.egressGateways.map(ref)),
    knownGatewayRefs: new Set(ofKind(mesh.objects, KIND.Gateway).map(ref)),
    entriesByHost,
  };
  lookups.set(mesh, built);
  return built;
}

/** ServiceEntries that list `host`. */
export function serviceEntriesFor(mesh: MeshTopology, host: string): readonly KubernetesObject[] {
  return meshLookups(mesh).entriesByHost.get(host) ?? [];
}

/** The egress Gateway servers that serve `host`. */
export function serversFor(mesh: MeshTopology, host: string): readonly GatewayServer[] {
  return meshLookups(mesh).serversByHost.get(host) ?? [];
}

/** Whether a route is bound to an egress gateway (as opposed to the mesh's sidecars). */
export function isGatewayRef(mesh: MeshTopology, ref: string): boolean {
  if (ref === "mesh") return false;
  const { egressGatewayRefs, knownGatewayRefs } = meshLookups(mesh);
  if (egressGatewayRefs.has(ref)) return true;
  const [namespace] = ref.split("/");
  // A Gateway missing from the input but named in the platform namespace is the platform's.
  return !knownGatewayRefs.has(ref) && namespace !== undefined && namespace === mesh.gatewayNamespace;
}

const OPAQUE_PROTOCOLS = new Set(["HTTPS", "TLS", "TCP", "MONGO", "MYSQL", "REDIS", "UDP"]);

/**
 * What the egress gateway sees of traffic to `host` (optionally on `ports`): "http" when some server
 * for it terminates TLS or speaks HTTP, "opaque" when every one passes TLS/TCP bytes through. Without a
 * Gateway server for the host, the ServiceEntry ports decide. "unknown" when nothing declares the host.
 */
export function hostTraffic(
  mesh: MeshTopology,
  host: string,
  ports: readonly number[] = [],
): "http" | "opaque" | "unknown" {
  const onPorts = <T extends { port?: number }>(items: T[]): T[] => {
    const narrowed =
      ports.length === 0 ? items : items.filter((i) => i.port !== undefined && ports.includes(i.port));
    return narrowed.length > 0 ? narrowed : items;
  };
  const servers = onPorts([...(meshLookups(mesh).serversByHost.get(host) ?? [])]);
  if (servers.length > 0) return servers.some((s) => s.carriesHttp) ? "http" : "opaque";
  const entryPorts = onPorts(
    serviceEntriesFor(mesh, host)
      .flatMap((e) => fieldsList(specOf(e).ports))
      .map((p) => {
        const port = integer(p.number);
        return { protocol: (text(p.protocol) ?? "").toUpperCase(), ...(port !== undefined ? { port } : {}) };
      }),
  );
  if (entryPorts.length === 0) return "unknown";
  if (entryPorts.some((p) => HTTP_PROTOCOLS.has(p.protocol))) return "http";
  return entryPorts.every((p) => OPAQUE_PROTOCOLS.has(p.protocol)) ? "opaque" : "unknown";
}

/** Hosts of ServiceEntries declared MESH_EXTERNAL (Istio's default location). */
export function externalHosts(objects: readonly KubernetesObject[]): Set<string> {
  const hosts = new Set<string>();
  for (const entry of ofKind(objects, KIND.ServiceEntry)) {
    const location = text(specOf(entry).location) ?? "MESH_EXTERNAL";
    if (location === "MESH_EXTERNAL") texts(specOf(entry).hosts).forEach((h) => hosts.add(h));
  }
  return hosts;
}

/** Hosts whose traffic goes through the egress gateway: served by it, routed to it, or routed from it. */
export function gatewayRoutedHosts(mesh: MeshTopology): Set<string> {
  const hosts = new Set<string>();
  for (const server of mesh.servers) server.hosts.forEach((h) => h.host !== "*" && hosts.add(h.host));
  for (const route of mesh.routes) {
    const bound = route.gateways.some((g) => isGatewayRef(mesh, g));
    const toGateway = route.destinations.some((d) =>
      isGatewayServiceHost(mesh, d.host, namespaceOf(route.virtualService)),
    );
    if (bound || toGateway) route.hosts.forEach((h) => hosts.add(h));
  }
  return hosts;
}

/** The namespaces that exist as Namespace objects in the input. */
export function declaredNamespaces(objects: readonly KubernetesObject[]): Map<string, KubernetesObject> {
  return new Map(ofKind(objects, KIND.Namespace).map((n) => [nameOf(n), n]));
}
