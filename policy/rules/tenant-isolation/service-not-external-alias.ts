import { KIND, KubernetesObject } from "../../contract";
import { parseCidr, reachesPublicAddresses } from "../../mesh/address-ranges";
import { MeshTopology } from "../../mesh/mesh-topology";
import {
  fieldsList,
  labelsOf,
  nameOf,
  namespaceOf,
  ofKind,
  specOf,
  stringMap,
  text,
  texts,
} from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";
import { destinationContext, outsideDestination } from "../../mesh/tenant-destinations";
import { inTenants } from "../../mesh/tenant-scope";

/**
 * Tenant isolation, ways out that are not Istio objects: a Kubernetes Service that stands for an outside
 * address (ExternalName, or no selector with hand-written Endpoints) gives sidecars a destination the egress
 * registry, the gateway and its authorization never see.
 */

const isPublicAddress = (ip: string): boolean => {
  const range = parseCidr(`${ip}/${ip.includes(":") ? 128 : 32}`);
  return range !== undefined && reachesPublicAddresses([range]);
};

/** Public addresses of the Endpoints and EndpointSlices behind each "<namespace>/<service>". */
function publicEndpoints(objects: readonly KubernetesObject[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (key: string, ips: string[]): void => {
    if (ips.length > 0) out.set(key, [...(out.get(key) ?? []), ...ips]);
  };
  for (const endpoints of ofKind(objects, KIND.Endpoints)) {
    const ips = fieldsList(endpoints.subsets)
      .flatMap((s) => fieldsList(s.addresses))
      .map((a) => text(a.ip) ?? "")
      .filter(isPublicAddress);
    add(`${namespaceOf(endpoints) ?? ""}/${nameOf(endpoints)}`, ips);
  }
  for (const slice of ofKind(objects, KIND.EndpointSlice)) {
    const service = labelsOf(slice)["kubernetes.io/service-name"];
    if (!service) continue;
    const ips = fieldsList(slice.endpoints)
      .flatMap((e) => texts(e.addresses))
      .filter(isPublicAddress);
    add(`${namespaceOf(slice) ?? ""}/${service}`, ips);
  }
  return out;
}

/** The API server's own Service: its Endpoints are the control plane's addresses, public on some clouds, and never a tenant's. */
const isApiServerService = (object: KubernetesObject): boolean =>
  nameOf(object) === "kubernetes" && namespaceOf(object) === "default";

/** The addresses of an Endpoints or EndpointSlice object. */
function endpointAddresses(object: KubernetesObject): string[] {
  if (object.kind === KIND.Endpoints.kind) {
    return fieldsList(object.subsets)
      .flatMap((s) => [...fieldsList(s.addresses), ...fieldsList(s.notReadyAddresses)])
      .map((a) => text(a.ip) ?? "");
  }
  return fieldsList(object.endpoints).flatMap((e) => texts(e.addresses));
}

export const serviceNotExternalAlias: StackRule = {
  name: "service-not-external-alias",
  description:
    "No Kubernetes Service points outside the cluster: no `type: ExternalName` to a name outside the cluster " +
    "domain, no selector-less Service whose Endpoints or EndpointSlices carry public addresses, and in a tenant " +
    "namespace no Endpoints or EndpointSlice (with or without its Service: a slice labelled for any Service joins " +
    "it) beyond the ranges a tenant may open. Sidecars treat such a Service as in-cluster, so traffic to it leaves " +
    "around the registry, the egress gateway and its authorization.",
  severity: "high",
  concern: "tenant-isolation",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Declare the external service in the platform registry (ServiceEntry through the egress gateway) and delete the Service.",
  kinds: [KIND.Service, KIND.Endpoints, KIND.EndpointSlice],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const out: Violation[] = [];
    const { clusterDomain, clusterRanges, tenants } = destinationContext(objects, mesh);
    const endpoints = publicEndpoints(objects);
    const fix =
      "declare the external service through the platform (a ServiceEntry routed via the egress gateway) and delete this Service";
    for (const service of ofKind(objects, KIND.Service)) {
      const spec = specOf(service);
      if (text(spec.type) === "ExternalName") {
        const target = (text(spec.externalName) ?? "").replace(/\.$/, "");
        if (target === "" || outsideDestination(target, clusterDomain, clusterRanges) !== undefined) {
          out.push(
            violation(
              service,
              `is an ExternalName alias for ${target || "an empty name"}, outside the cluster`,
              fix,
            ),
          );
        }
        continue;
      }
      // A tenant's endpoints are judged on their own below; the API server's are the control plane.
      if (tenants.has(namespaceOf(service) ?? "") || isApiServerService(service)) continue;
      if (Object.keys(stringMap(spec.selector)).length > 0) continue;
      const ips = endpoints.get(`${namespaceOf(service) ?? ""}/${nameOf(service)}`) ?? [];
      if (ips.length > 0) {
        out.push(
          violation(
            service,
            `has no selector and its Endpoints point outside the cluster (${[...new Set(ips)].join(", ")})`,
            fix,
          ),
        );
      }
    }
    const tenantEndpoints = [...ofKind(objects, KIND.Endpoints), ...ofKind(objects, KIND.EndpointSlice)];
    for (const object of inTenants(tenantEndpoints, tenants)) {
      const apiServerSlice =
        namespaceOf(object) === "default" && labelsOf(object)["kubernetes.io/service-name"] === "kubernetes";
      if (isApiServerService(object) || apiServerSlice) continue;
      const outside = endpointAddresses(object).filter(
        (ip) => outsideDestination(ip, clusterDomain, clusterRanges) !== undefined,
      );
      if (outside.length === 0) continue;
      out.push(
        violation(
          object,
          `points outside the cluster (${[...new Set(outside)].join(", ")}: beyond the ranges a tenant may name), so the Service it serves leads there`,
          "delete it and declare the external service through the platform (a ServiceEntry routed via the egress gateway)",
        ),
      );
    }
    return out;
  },
};
