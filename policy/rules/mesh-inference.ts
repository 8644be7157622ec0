import {
  DEFAULT_GATEWAY_SERVICE,
  DEFAULT_ROOT_NAMESPACE,
  GATEWAY_SELECTOR,
  GATEWAY_ROLE,
  KIND,
  KubernetesObject,
  ROLE_LABEL,
  TENANT_LABEL,
} from "../contract";
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
  texts,
} from "./object-fields";

/**
 * Working out the platform from the objects alone: which namespace is the gateway's, which are
 * tenants, which labels and Service names the gateway has. The CLI's flags can override the first two.
 */

export interface MeshOverrides {
  readonly gatewayNamespace?: string;
  readonly rootNamespace?: string;
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
    .filter((g) => gatewaySelects(g, GATEWAY_SELECTOR))
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
  const gatewayLabels: Record<string, string> = { ...GATEWAY_SELECTOR };
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
