import {
  DEFAULT_CLUSTER_DOMAIN,
  DEFAULT_GATEWAY_SERVICE,
  DEFAULT_ROOT_NAMESPACE,
  gatewayChartPodLabels,
  GATEWAY_SELECTOR,
  GATEWAY_ROLE,
  KIND,
  KubernetesObject,
  ROLE_LABEL,
  TENANT_LABEL,
  WORKLOAD_KINDS,
} from "../contract";
import { gatewayApiEgressGateways } from "./gateway-api-gateways";
import {
  egressGatewayReleases,
  egressGatewayWorkloads,
  gatewaySelects,
  gatewayServers,
  podTemplate,
  virtualRoutes,
} from "./mesh-object-readers";
import { policyAppliesToGateway } from "./mesh-queries";
import { MeshTopology } from "./mesh-topology";
import {
  dig,
  fieldsList,
  labelsOf,
  nameOf,
  namespaceOf,
  ofKind,
  selectorMatches,
  specOf,
  stringMap,
  text,
  texts,
} from "./object-fields";

/**
 * Working out the platform from the objects alone: which namespace is the gateway's, which are
 * tenants, which labels and Service names the gateway has. The CLI's flags can override the first two.
 */

export interface MeshOverrides {
  readonly gatewayNamespace?: string;
  readonly rootNamespace?: string;
  /** The cluster's DNS domain (`cluster.local` unless the cluster is configured otherwise). */
  readonly clusterDomain?: string;
}

/** "<service>.<namespace>[.svc[.<cluster domain>]]" split into service and namespace. */
export function serviceHostParts(
  host: string,
  clusterDomain: string,
): { service: string; namespace: string } | undefined {
  const suffixes = [`.svc.${clusterDomain}`, ".svc", ""];
  for (const suffix of suffixes) {
    if (!host.endsWith(suffix)) continue;
    const parts = host.slice(0, host.length - suffix.length).split(".");
    if (parts.length === 2 && parts.every((p) => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(p))) {
      return { service: parts[0] ?? "", namespace: parts[1] ?? "" };
    }
  }
  return undefined;
}

/** Namespaces Kubernetes itself runs in: never tenants. */
const SYSTEM_NAMESPACES = new Set(["kube-system", "kube-public", "kube-node-lease"]);

function detectGatewayNamespace(
  objects: readonly KubernetesObject[],
  override: string | undefined,
  clusterDomain: string,
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
  // The Service that mesh routes and DestinationRules name is where the gateway runs; a Gateway object
  // can sit anywhere (`gateways: [istio-egressgateway]` from default binds pods in istio-system).
  const serviceNamespaces: string[] = [];
  const named = (host: string): void => {
    const parts = serviceHostParts(host, clusterDomain);
    if (parts && parts.service.includes("egressgateway")) serviceNamespaces.push(parts.namespace);
  };
  for (const route of ofKind(objects, KIND.VirtualService).flatMap(virtualRoutes)) {
    route.destinations.forEach((d) => named(d.host));
  }
  for (const rule of ofKind(objects, KIND.DestinationRule)) named(text(specOf(rule).host) ?? "");
  const routed = mostFrequent(serviceNamespaces);
  if (routed)
    return { namespace: routed, evidence: "routes and DestinationRules naming the egress gateway Service" };
  const gatewayNamespaces = ofKind(objects, KIND.Gateway)
    .filter((g) => gatewaySelects(g, GATEWAY_SELECTOR))
    .map((g) => namespaceOf(g))
    .filter((n): n is string => n !== undefined);
  const mostCommon = mostFrequent(gatewayNamespaces);
  if (mostCommon) return { namespace: mostCommon, evidence: "Gateways selecting istio: egressgateway" };
  const apiGateway = gatewayApiEgressGateways(objects)[0];
  if (apiGateway) {
    return {
      namespace: namespaceOf(apiGateway) ?? "default",
      evidence: `Gateway API Gateway ${nameOf(apiGateway)} forwarding to external hosts`,
    };
  }
  return { evidence: "nothing in the input (pass --gateway-namespace)" };
}

function mostFrequent(values: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | undefined;
  for (const [v, c] of counts) if (best === undefined || c > (counts.get(best) ?? 0)) best = v;
  return best;
}

/** Works out the platform namespace, the tenants, the gateway's labels, servers and routes. */
export function describeMesh(
  objects: readonly KubernetesObject[],
  overrides: MeshOverrides = {},
): MeshTopology {
  const clusterDomain = overrides.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN;
  const { namespace: gatewayNamespace, evidence } = detectGatewayNamespace(
    objects,
    overrides.gatewayNamespace,
    clusterDomain,
  );
  const rootNamespace = overrides.rootNamespace ?? DEFAULT_ROOT_NAMESPACE;

  const releases = egressGatewayReleases(objects).filter(
    (r) => !gatewayNamespace || r.namespace === gatewayNamespace,
  );
  const gatewayLabels: Record<string, string> = { ...GATEWAY_SELECTOR };
  const gatewayServiceNames = new Set<string>([DEFAULT_GATEWAY_SERVICE]);
  for (const r of releases) {
    const revision = text(r.values.revision);
    Object.assign(
      gatewayLabels,
      gatewayChartPodLabels({
        releaseName: r.releaseName,
        valuesLabels: stringMap(r.values.labels),
        ...(revision ? { revision } : {}),
      }),
    );
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
    clusterDomain,
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
  // Namespaces that run workloads, or ask for sidecars, are tenants whether or not anything grants them egress:
  // a config with no grants at all must not escape the tenant rules.
  const platform = new Set<string>([...SYSTEM_NAMESPACES]);
  for (const n of ofKind(objects, KIND.Namespace)) {
    if (labelsOf(n)[ROLE_LABEL] !== undefined) platform.add(nameOf(n));
    const labels = labelsOf(n);
    if (labels["istio-injection"] === "enabled" || "istio.io/rev" in labels) tenants.add(nameOf(n));
  }
  for (const kind of WORKLOAD_KINDS) {
    for (const workload of ofKind(objects, kind)) {
      const ns = namespaceOf(workload);
      if (ns !== undefined) tenants.add(ns);
    }
  }
  for (const ns of [mesh.gatewayNamespace, mesh.rootNamespace, "*", ...platform]) if (ns) tenants.delete(ns);
  return tenants;
}
