import { AdmissionGuardrailSettings, Guardrail, inClusterName, tenantMayOpen } from "./guardrail";

const openable = "tenant-openable ranges";

/**
 * Destinations come only from the registry: in a tenant namespace a ServiceEntry describes an in-cluster
 * service for that namespace alone (MESH_INTERNAL, exportTo ".", in-cluster names and addresses), so it can
 * neither register an outside host nor squat one the registry adds later.
 */
export function tenantServiceEntryGuardrail(s: AdmissionGuardrailSettings): Guardrail {
  const name = "tenant-service-entry";
  const msg = (what: string, fix: string) => `mesh-egress guardrail ${name}: ${what}. Fix: ${fix}.`;
  const external = "external hosts come only from the egress registry: ask the platform team to register it";
  return {
    name,
    description:
      "A tenant ServiceEntry is MESH_INTERNAL, exported only to its own namespace, and names only in-cluster hosts, " +
      "addresses and endpoints in the ranges a tenant may open.",
    resourceRules: [{ apiGroups: ["networking.istio.io"], resources: ["serviceentries"] }],
    scope: "tenants",
    validations: [
      {
        expression: "has(object.spec.location) && object.spec.location == 'MESH_INTERNAL'",
        message: msg(
          "a tenant ServiceEntry must set location: MESH_INTERNAL (MESH_EXTERNAL is the default)",
          external,
        ),
      },
      {
        expression:
          "has(object.spec.exportTo) && size(object.spec.exportTo) > 0 && object.spec.exportTo.all(e, e == '.' || e == request.namespace)",
        message: msg(
          "a tenant ServiceEntry must be exported to its own namespace only (no exportTo means '*': it reaches the gateway and can squat a host the registry adds later)",
          'set exportTo: ["."]',
        ),
      },
      {
        expression: `object.spec.hosts.all(h, ${inClusterName("h", s)})`,
        message: msg(
          `a tenant ServiceEntry names only in-cluster hosts (<service>.<namespace>.svc.${s.clusterDomain}), no wildcard`,
          external,
        ),
      },
      {
        expression:
          `(!has(object.spec.addresses) || object.spec.addresses.all(a, ${tenantMayOpen("a", s)})) && ` +
          `(!has(object.spec.endpoints) || object.spec.endpoints.all(e, !has(e.address) || ${tenantMayOpen("e.address", s)} || ${inClusterName("e.address", s)}))`,
        message: msg(
          `a tenant ServiceEntry's addresses and endpoints lie in the ${openable} (${s.tenantOpenableRanges.join(", ")}; never ${s.neverOpenableRanges.join(", ")}) or are in-cluster names`,
          external,
        ),
      },
    ],
  };
}

/** WorkloadEntries and WorkloadGroups add endpoints to services: in a tenant namespace, only in-cluster ones. */
export function tenantWorkloadEntryGuardrail(s: AdmissionGuardrailSettings): Guardrail {
  const name = "tenant-workload-entry";
  const addressOk = (a: string) => `(${tenantMayOpen(a, s)} || ${inClusterName(a, s)})`;
  return {
    name,
    description:
      "A tenant WorkloadEntry or WorkloadGroup template has an address in the ranges a tenant may open.",
    resourceRules: [{ apiGroups: ["networking.istio.io"], resources: ["workloadentries", "workloadgroups"] }],
    scope: "tenants",
    validations: [
      {
        expression:
          `object.kind == 'WorkloadEntry' ? (!has(object.spec.address) || ${addressOk("object.spec.address")}) : ` +
          `(!has(object.spec.template) || !has(object.spec.template.address) || ${addressOk("object.spec.template.address")})`,
        message: `mesh-egress guardrail ${name}: a tenant WorkloadEntry (or WorkloadGroup template) must point into the ${openable} (${s.tenantOpenableRanges.join(", ")}; never ${s.neverOpenableRanges.join(", ")}) or at an in-cluster name: elsewhere it makes an outside host a mesh endpoint. Fix: register the destination in the egress registry instead.`,
      },
    ],
  };
}

/**
 * A Service, its Endpoints or EndpointSlices are another way to name a destination: ExternalName to an outside
 * name, manual endpoints at a public address, or externalIPs (which capture traffic to those IPs cluster-wide).
 */
export function tenantServiceEndpointsGuardrail(s: AdmissionGuardrailSettings): Guardrail {
  const name = "tenant-service-endpoints";
  const ipOk = (a: string) => tenantMayOpen(a, s);
  const subsetOk = (field: string) => `(!has(sub.${field}) || sub.${field}.all(a, ${ipOk("a.ip")}))`;
  return {
    name,
    description:
      "In tenant namespaces: ExternalName Services name in-cluster hosts, no Service sets externalIPs, and " +
      "Endpoints and EndpointSlices point into the ranges a tenant may open.",
    resourceRules: [
      { apiGroups: [""], resources: ["services", "endpoints"] },
      { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"] },
    ],
    scope: "tenants",
    validations: [
      {
        expression:
          `object.kind != 'Service' || ((!has(object.spec.type) || object.spec.type != 'ExternalName' || ${inClusterName("object.spec.externalName", s)}) && ` +
          "(!has(object.spec.externalIPs) || size(object.spec.externalIPs) == 0))",
        message: `mesh-egress guardrail ${name}: a tenant Service may be an ExternalName only for an in-cluster name (<service>.<namespace>.svc.${s.clusterDomain}), and may not set externalIPs. Fix: reach outside hosts through the egress registry.`,
      },
      {
        expression: `object.kind != 'Endpoints' || !has(object.subsets) || object.subsets.all(sub, ${subsetOk("addresses")} && ${subsetOk("notReadyAddresses")})`,
        message: `mesh-egress guardrail ${name}: Endpoints in a tenant namespace point only into the ${openable} (${s.tenantOpenableRanges.join(", ")}; never ${s.neverOpenableRanges.join(", ")}). Fix: reach outside hosts through the egress registry.`,
      },
      {
        expression: `object.kind != 'EndpointSlice' || !has(object.endpoints) || object.endpoints.all(e, e.addresses.all(a, object.addressType == 'FQDN' ? ${inClusterName("a", s)} : ${ipOk("a")}))`,
        message: `mesh-egress guardrail ${name}: an EndpointSlice in a tenant namespace points only into the ${openable} (${s.tenantOpenableRanges.join(", ")}; never ${s.neverOpenableRanges.join(", ")}) or at in-cluster names. Fix: reach outside hosts through the egress registry.`,
      },
    ],
  };
}

/** An EnvoyFilter rewrites the proxy itself (e.g. the catch-all to PassthroughCluster): none in tenant namespaces. */
export function tenantEnvoyFilterGuardrail(): Guardrail {
  return {
    name: "tenant-envoy-filter",
    description:
      "No EnvoyFilter in a tenant namespace: one can send the sidecar's catch-all to PassthroughCluster.",
    resourceRules: [{ apiGroups: ["networking.istio.io"], resources: ["envoyfilters"] }],
    scope: "tenants",
    validations: [
      {
        expression: "false",
        message:
          "mesh-egress guardrail tenant-envoy-filter: EnvoyFilters patch the proxy below every other guarantee (one can send the sidecar's catch-all to PassthroughCluster), so a tenant namespace holds none. Fix: use the Istio APIs (Telemetry, DestinationRule, ...) or ask the platform team.",
      },
    ],
  };
}
