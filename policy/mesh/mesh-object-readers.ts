import { CHART_KINDS, GATEWAY_SELECTOR, KIND, KubernetesObject, resolveGatewayName } from "../contract";
import {
  dig,
  Fields,
  fields,
  fieldsList,
  integer,
  isKind,
  nameOf,
  namespaceOf,
  ofKind,
  selectorMatches,
  specOf,
  splitNamespacedHost,
  stringMap,
  text,
  texts,
} from "./object-fields";

/**
 * Typed views of the objects the mesh is made of (chart installations, gateway workloads, Gateway
 * servers, VirtualService routes), each read from one object alone.
 */

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
  /**
   * The proxy namespaces the route's matches are limited to (`match.sourceNamespace`, which Istio honours on
   * sidecar and gateway routes alike); empty when some match (or the lack of any) applies to every namespace.
   */
  readonly sourceNamespaces: readonly string[];
  readonly destinations: readonly {
    readonly host: string;
    readonly port?: number;
    readonly subset?: string;
  }[];
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
  return isGatewayChart(release.chart) && gatewayChartIstioLabel(release) === GATEWAY_SELECTOR.istio;
}

export function isIstiodChart(chart: string): boolean {
  return chart === "istiod" || chart.endsWith("/istiod");
}

export function egressGatewayReleases(objects: readonly KubernetesObject[]): ChartRelease[] {
  return objects
    .map(chartRelease)
    .filter((r): r is ChartRelease => r !== undefined && isEgressGatewayRelease(r));
}

/** The pod template of a workload (CronJob: its job template's; PodTemplate: its own), or a Pod's own metadata and spec. */
export function podTemplate(object: KubernetesObject): { metadata: Fields; spec: Fields } | undefined {
  if (isKind(object, KIND.Pod)) return { metadata: fields(object.metadata), spec: specOf(object) };
  const template = isKind(object, KIND.CronJob)
    ? dig(object.spec, "jobTemplate", "spec", "template")
    : isKind(object, KIND.PodTemplate)
      ? (object as { template?: unknown }).template
      : dig(object.spec, "template");
  if (template === undefined) return undefined;
  return { metadata: fields(dig(template, "metadata")), spec: fields(dig(template, "spec")) };
}

/** Deployments (or DaemonSets) whose pods carry the egress gateway label, e.g. the chart's rendered Deployment. */
export function egressGatewayWorkloads(objects: readonly KubernetesObject[]): KubernetesObject[] {
  return [...ofKind(objects, KIND.Deployment), ...ofKind(objects, KIND.DaemonSet)].filter((o) => {
    const labels = stringMap(podTemplate(o)?.metadata.labels);
    return selectorMatches(GATEWAY_SELECTOR, labels);
  });
}

/** Whether a Gateway's selector picks pods with these labels. */
export function gatewaySelects(gateway: KubernetesObject, labels: Readonly<Record<string, string>>): boolean {
  return selectorMatches(stringMap(specOf(gateway).selector), labels);
}

/** The gateways a route applies to: its matches' `gateways`, else the VirtualService's, else the mesh. */
export function virtualRoutes(virtualService: KubernetesObject): VirtualRoute[] {
  const spec = specOf(virtualService);
  const namespace = namespaceOf(virtualService) ?? "default";
  const resolve = (ref: string): string => resolveGatewayName(ref, namespace);
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
      const sourceNamespaces = matches.every((m) => text(m.sourceNamespace) !== undefined)
        ? [...new Set(matches.map((m) => text(m.sourceNamespace) as string))]
        : [];
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
        sourceNamespaces,
        destinations,
        ...(name !== undefined ? { name } : {}),
      });
    }
  }
  return routes;
}

/** Gateway server protocols on which the gateway sees HTTP. */
export const HTTP_PROTOCOLS: ReadonlySet<string> = new Set([
  "HTTP",
  "HTTP2",
  "GRPC",
  "GRPC-WEB",
  "HTTP_PROXY",
]);
const PASSTHROUGH_TLS_MODES = new Set(["PASSTHROUGH", "AUTO_PASSTHROUGH"]);

/** The servers of one Gateway, with their hosts split into namespace and host. */
export function gatewayServers(gateway: KubernetesObject): GatewayServer[] {
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
