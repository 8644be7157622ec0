import { KubernetesObject } from "./kubernetes-object";
import { CHART_KINDS, KIND } from "./kinds";
import {
  Fields,
  dig,
  fields,
  fieldsList,
  integer,
  isKind,
  labelsOf,
  nameOf,
  namespaceOf,
  ofKind,
  selectorLabels,
  selectorMatches,
  specOf,
  splitNamespacedHost,
  stringMap,
  text,
  texts,
} from "./object-fields";

/** The label the egress gateway's pods carry (the `istio/gateway` chart's `labels.istio`). */
export const EGRESS_GATEWAY_LABELS: Readonly<Record<string, string>> = { istio: "egressgateway" };
/** Marks the platform's own namespace. */
export const ROLE_LABEL = "mesh-egress.io/role";
export const GATEWAY_ROLE = "egress-gateway";
/** Marks a tenant namespace. */
export const TENANT_LABEL = "mesh-egress.io/tenant";
/** Istio's mesh root namespace, where mesh-wide policy lives, unless told otherwise. */
export const DEFAULT_ROOT_NAMESPACE = "istio-system";
/** The gateway chart's release name in the platform, and so the name of its Service. */
export const DEFAULT_GATEWAY_SERVICE = "istio-egressgateway";

/** A Helm chart installation, from a Flux HelmRelease or from a Pulumi helm Chart seen at preview. */
export interface ChartRelease {
  readonly object: KubernetesObject;
  readonly chart: string;
  readonly releaseName: string;
  readonly namespace?: string;
  readonly values: Fields;
}

/** One server block of a Gateway that selects the egress gateway's pods. */
export interface GatewayServer {
  readonly gateway: KubernetesObject;
  readonly port?: number;
  readonly protocol: string;
  readonly tlsMode?: string;
  readonly name?: string;
  readonly hosts: readonly { readonly namespace?: string; readonly host: string }[];
  /** Whether the gateway sees HTTP on this server (terminated TLS or plain HTTP), not opaque TLS/TCP bytes. */
  readonly carriesHttp: boolean;
}

/** A route of a VirtualService, with the gateways it is bound to resolved to "mesh" or "ns/name". */
export interface VirtualRoute {
  readonly virtualService: KubernetesObject;
  readonly protocol: "http" | "tls" | "tcp";
  readonly name?: string;
  readonly gateways: readonly string[];
  readonly hosts: readonly string[];
  readonly ports: readonly number[];
  readonly sniHosts: readonly string[];
  readonly destinations: readonly {
    readonly host: string;
    readonly port?: number;
    readonly subset?: string;
  }[];
}

/** What the rules need to know about the platform, derived from the objects themselves. */
export interface MeshTopology {
  readonly objects: readonly KubernetesObject[];
  /** The platform's namespace, where the egress gateway runs; undefined when nothing reveals it. */
  readonly gatewayNamespace?: string;
  /** How the gateway namespace was found, for messages ("--gateway-namespace", "Namespace labelled …"). */
  readonly gatewayNamespaceEvidence: string;
  readonly rootNamespace: string;
  readonly tenantNamespaces: ReadonlySet<string>;
  /** Labels the egress gateway's pods carry. */
  readonly gatewayLabels: Readonly<Record<string, string>>;
  /** Service names of the gateway in its namespace (the chart's release names). */
  readonly gatewayServiceNames: ReadonlySet<string>;
  /** Gateways (any namespace) whose selector picks the egress gateway's pods. */
  readonly egressGateways: readonly KubernetesObject[];
  readonly servers: readonly GatewayServer[];
  readonly routes: readonly VirtualRoute[];
}

export interface MeshOverrides {
  readonly gatewayNamespace?: string;
  readonly rootNamespace?: string;
}

export function isGatewayChart(chart: string): boolean {
  return chart === "gateway" || chart.endsWith("/gateway");
}

/** Reads a chart installation from a Flux HelmRelease or a helm.sh Chart/Release object. */
export function chartRelease(object: KubernetesObject): ChartRelease | undefined {
  const spec = specOf(object);
  if (isKind(object, KIND.HelmRelease)) {
    const chart = text(dig(spec, "chart", "spec", "chart"));
    if (!chart) return undefined;
    const targetNamespace = text(spec.targetNamespace);
    // Flux names the release "<targetNamespace>-<name>" when targetNamespace is set and releaseName is not.
    const releaseName =
      text(spec.releaseName) ?? (targetNamespace ? `${targetNamespace}-${nameOf(object)}` : nameOf(object));
    const namespace = targetNamespace ?? namespaceOf(object);
    return { object, chart, releaseName, values: fields(spec.values), ...(namespace ? { namespace } : {}) };
  }
  if (CHART_KINDS.some((k) => isKind(object, k))) {
    const chart = text(spec.chart);
    if (!chart) return undefined;
    const namespace = namespaceOf(object);
    return {
      object,
      chart,
      releaseName: nameOf(object),
      values: fields(spec.values),
      ...(namespace ? { namespace } : {}),
    };
  }
  return undefined;
}

/** The `istio` label the gateway chart puts on its pods: `labels.istio`, else the release name minus "istio-". */
export function gatewayChartIstioLabel(release: ChartRelease): string {
  return stringMap(release.values.labels).istio ?? release.releaseName.replace(/^istio-/, "");
}

/** Whether a chart installation is the `istio/gateway` chart deployed as the egress gateway. */
export function isEgressGatewayRelease(release: ChartRelease): boolean {
  return isGatewayChart(release.chart) && gatewayChartIstioLabel(release) === EGRESS_GATEWAY_LABELS.istio;
}

export function isIstiodChart(chart: string): boolean {
  return chart === "istiod" || chart.endsWith("/istiod");
}

export function egressGatewayReleases(objects: readonly KubernetesObject[]): ChartRelease[] {
  return objects
    .map(chartRelease)
    .filter((r): r is ChartRelease => r !== undefined && isEgressGatewayRelease(r));
}

/** The pod template of a workload (CronJob: its job template's), or a Pod's own metadata and spec. */
export function podTemplate(object: KubernetesObject): { metadata: Fields; spec: Fields } | undefined {
  if (isKind(object, KIND.Pod)) return { metadata: fields(object.metadata), spec: specOf(object) };
  const template = isKind(object, KIND.CronJob)
    ? dig(object.spec, "jobTemplate", "spec", "template")
    : dig(object.spec, "template");
  if (template === undefined) return undefined;
  return { metadata: fields(dig(template, "metadata")), spec: fields(dig(template, "spec")) };
}

/** Deployments (or DaemonSets) whose pods carry the egress gateway label, e.g. the chart's rendered Deployment. */
export function egressGatewayWorkloads(objects: readonly KubernetesObject[]): KubernetesObject[] {
  return [...ofKind(objects, KIND.Deployment), ...ofKind(objects, KIND.DaemonSet)].filter((o) => {
    const labels = stringMap(podTemplate(o)?.metadata.labels);
    return selectorMatches(EGRESS_GATEWAY_LABELS, labels);
  });
}

/** Whether a Gateway's selector picks pods with these labels. */
export function gatewaySelects(gateway: KubernetesObject, labels: Readonly<Record<string, string>>): boolean {
  return selectorMatches(stringMap(specOf(gateway).selector), labels);
}

const GATEWAY_SERVICE_HOST =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.svc(\.cluster\.local)?)?$/;

function detectGatewayNamespace(
  objects: readonly KubernetesObject[],
  override: string | undefined,
): { namespace?: string; evidence: string } {
  if (override) return { namespace: override, evidence: "--gateway-namespace" };
  const labelled = ofKind(objects, KIND.Namespace).find((n) => labelsOf(n)[ROLE_LABEL] === GATEWAY_ROLE);
  if (labelled)
    return { namespace: nameOf(labelled), evidence: `Namespace labelled ${ROLE_LABEL}=${GATEWAY_ROLE}` };
  const release = egressGatewayReleases(objects).find((r) => r.namespace);
  if (release?.namespace) {
    return {
      namespace: release.namespace,
      evidence: `${release.object.kind} ${nameOf(release.object)} of chart gateway`,
    };
  }
  const workload = egressGatewayWorkloads(objects).find((w) => namespaceOf(w));
  const workloadNamespace = workload && namespaceOf(workload);
  if (workload && workloadNamespace) {
    return {
      namespace: workloadNamespace,
      evidence: `${workload.kind} ${nameOf(workload)} running the egress gateway`,
    };
  }
  const gatewayNamespaces = ofKind(objects, KIND.Gateway)
    .filter((g) => gatewaySelects(g, EGRESS_GATEWAY_LABELS))
    .map((g) => namespaceOf(g))
    .filter((n): n is string => n !== undefined);
  const mostCommon = mostFrequent(gatewayNamespaces);
  if (mostCommon) return { namespace: mostCommon, evidence: "Gateways selecting istio: egressgateway" };
  const serviceNamespaces: string[] = [];
  for (const route of ofKind(objects, KIND.VirtualService).flatMap(virtualRoutes)) {
    for (const d of route.destinations) {
      const m = GATEWAY_SERVICE_HOST.exec(d.host);
      if (m && m[1]?.includes("egressgateway") && m[3]) serviceNamespaces.push(m[3]);
    }
  }
  const routed = mostFrequent(serviceNamespaces);
  if (routed) return { namespace: routed, evidence: "VirtualService routes to an egress gateway Service" };
  return { evidence: "nothing in the input (pass --gateway-namespace)" };
}

function mostFrequent(values: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | undefined;
  for (const [v, c] of counts) if (best === undefined || c > (counts.get(best) ?? 0)) best = v;
  return best;
}

/** The gateways a route applies to: its matches' `gateways`, else the VirtualService's, else the mesh. */
export function virtualRoutes(virtualService: KubernetesObject): VirtualRoute[] {
  const spec = specOf(virtualService);
  const namespace = namespaceOf(virtualService) ?? "default";
  const resolve = (ref: string): string =>
    ref === "mesh" || ref.includes("/") ? ref : `${namespace}/${ref}`;
  const specGateways = texts(spec.gateways);
  const defaultGateways = specGateways.length > 0 ? specGateways : ["mesh"];
  const hosts = texts(spec.hosts);
  const routes: VirtualRoute[] = [];
  for (const protocol of ["http", "tls", "tcp"] as const) {
    for (const route of fieldsList(spec[protocol])) {
      const matches = fieldsList(route.match);
      const gateways = new Set<string>();
      const ports: number[] = [];
      const sniHosts: string[] = [];
      if (matches.length === 0) defaultGateways.forEach((g) => gateways.add(resolve(g)));
      for (const match of matches) {
        const own = texts(match.gateways);
        (own.length > 0 ? own : defaultGateways).forEach((g) => gateways.add(resolve(g)));
        const port = integer(match.port);
        if (port !== undefined) ports.push(port);
        sniHosts.push(...texts(match.sniHosts));
      }
      const destinations = fieldsList(route.route).map((r) => {
        const d = fields(r.destination);
        const port = integer(dig(d, "port", "number"));
        const subset = text(d.subset);
        return {
          host: text(d.host) ?? "",
          ...(port !== undefined ? { port } : {}),
          ...(subset !== undefined ? { subset } : {}),
        };
      });
      const name = text(route.name);
      routes.push({
        virtualService,
        protocol,
        gateways: [...gateways],
        hosts,
        ports,
        sniHosts,
        destinations,
        ...(name !== undefined ? { name } : {}),
      });
    }
  }
  return routes;
}

const HTTP_PROTOCOLS = new Set(["HTTP", "HTTP2", "GRPC", "GRPC-WEB", "HTTP_PROXY"]);
const PASSTHROUGH_TLS_MODES = new Set(["PASSTHROUGH", "AUTO_PASSTHROUGH"]);

function gatewayServers(gateway: KubernetesObject): GatewayServer[] {
  return fieldsList(specOf(gateway).servers).map((server) => {
    const port = fields(server.port);
    const protocol = (text(port.protocol) ?? "").toUpperCase();
    const tlsMode = text(dig(server, "tls", "mode"));
    const carriesHttp =
      HTTP_PROTOCOLS.has(protocol) ||
      (protocol === "HTTPS" && !PASSTHROUGH_TLS_MODES.has(tlsMode ?? "SIMPLE"));
    const number = integer(port.number);
    const name = text(server.name) ?? text(port.name);
    return {
      gateway,
      protocol,
      hosts: texts(server.hosts).map(splitNamespacedHost),
      carriesHttp,
      ...(number !== undefined ? { port: number } : {}),
      ...(tlsMode !== undefined ? { tlsMode } : {}),
      ...(name !== undefined ? { name } : {}),
    };
  });
}

/** Works out the platform namespace, the tenants, the gateway's labels, servers and routes. */
export function describeMesh(
  objects: readonly KubernetesObject[],
  overrides: MeshOverrides = {},
): MeshTopology {
  const { namespace: gatewayNamespace, evidence } = detectGatewayNamespace(
    objects,
    overrides.gatewayNamespace,
  );
  const rootNamespace = overrides.rootNamespace ?? DEFAULT_ROOT_NAMESPACE;

  const releases = egressGatewayReleases(objects).filter(
    (r) => !gatewayNamespace || r.namespace === gatewayNamespace,
  );
  const gatewayLabels: Record<string, string> = { ...EGRESS_GATEWAY_LABELS };
  const gatewayServiceNames = new Set<string>([DEFAULT_GATEWAY_SERVICE]);
  for (const r of releases) {
    Object.assign(gatewayLabels, stringMap(r.values.labels), { app: r.releaseName });
    gatewayServiceNames.add(r.releaseName);
  }
  for (const w of egressGatewayWorkloads(objects)) {
    if (!gatewayNamespace || namespaceOf(w) === gatewayNamespace) {
      Object.assign(gatewayLabels, stringMap(podTemplate(w)?.metadata.labels));
    }
  }
  for (const s of ofKind(objects, KIND.Service)) {
    if (
      namespaceOf(s) === gatewayNamespace &&
      selectorMatches(stringMap(specOf(s).selector), gatewayLabels)
    ) {
      gatewayServiceNames.add(nameOf(s));
    }
  }

  const egressGateways = ofKind(objects, KIND.Gateway).filter((g) => gatewaySelects(g, gatewayLabels));
  const servers = egressGateways.flatMap(gatewayServers);
  const routes = ofKind(objects, KIND.VirtualService).flatMap(virtualRoutes);

  const partial: Omit<MeshTopology, "tenantNamespaces"> = {
    objects,
    gatewayNamespaceEvidence: evidence,
    rootNamespace,
    gatewayLabels,
    gatewayServiceNames,
    egressGateways,
    servers,
    routes,
    ...(gatewayNamespace ? { gatewayNamespace } : {}),
  };
  return { ...partial, tenantNamespaces: detectTenants(objects, partial) };
}

function detectTenants(
  objects: readonly KubernetesObject[],
  mesh: Omit<MeshTopology, "tenantNamespaces">,
): Set<string> {
  const tenants = new Set<string>();
  for (const n of ofKind(objects, KIND.Namespace)) {
    if (TENANT_LABEL in labelsOf(n)) tenants.add(nameOf(n));
  }
  for (const policy of ofKind(objects, KIND.AuthorizationPolicy)) {
    if (!policyAppliesToGateway(mesh, policy, dig(policy.spec, "selector"))) continue;
    for (const rule of fieldsList(specOf(policy).rules)) {
      for (const from of fieldsList(rule.from))
        texts(dig(from, "source", "namespaces")).forEach((ns) => tenants.add(ns));
    }
  }
  for (const entry of ofKind(objects, KIND.ServiceEntry)) {
    for (const ns of texts(specOf(entry).exportTo)) {
      if (ns !== "." && ns !== "*" && ns !== "~" && ns !== namespaceOf(entry)) tenants.add(ns);
    }
  }
  for (const ns of [mesh.gatewayNamespace, mesh.rootNamespace, "*"]) if (ns) tenants.delete(ns);
  return tenants;
}

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
    const forms = [`${service}.${ns}.svc.cluster.local`, `${service}.${ns}.svc`, `${service}.${ns}`];
    if (forms.includes(host)) return true;
    if (host === service && fromNamespace === ns) return true;
  }
  return false;
}

/** Whether a route is bound to an egress gateway (as opposed to the mesh's sidecars). */
export function isGatewayRef(mesh: MeshTopology, ref: string): boolean {
  if (ref === "mesh") return false;
  const [namespace, name] = ref.split("/");
  if (mesh.egressGateways.some((g) => namespaceOf(g) === namespace && nameOf(g) === name)) return true;
  // A Gateway missing from the input but named in the platform namespace is the platform's.
  const known = mesh.objects.some(
    (o) => isKind(o, KIND.Gateway) && namespaceOf(o) === namespace && nameOf(o) === name,
  );
  return !known && namespace !== undefined && namespace === mesh.gatewayNamespace;
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
  const servers = onPorts(mesh.servers.filter((s) => s.hosts.some((h) => h.host === host)));
  if (servers.length > 0) return servers.some((s) => s.carriesHttp) ? "http" : "opaque";
  const entryPorts = onPorts(
    ofKind(mesh.objects, KIND.ServiceEntry)
      .filter((e) => texts(specOf(e).hosts).includes(host))
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
