import { KIND, KubernetesObject } from "../../contract";
import { MeshTopology } from "../../mesh/mesh-topology";
import { namespaceOf, ofKind } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";

export const envoyFilterInGatewayNamespace: StackRule = {
  name: "envoy-filter-in-gateway-namespace",
  description:
    "EnvoyFilters live only in the egress gateway's namespace. One in the mesh root namespace patches every " +
    "proxy it selects across the mesh; one in a tenant namespace can rewrite that tenant's sidecars (their " +
    "routes to the gateway, the identity they present), out of the platform's review.",
  severity: "high",
  concern: "envoy-filters",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Move the EnvoyFilter to the gateway namespace with a workloadSelector for the gateway, or drop it.",
  kinds: [KIND.EnvoyFilter],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    if (!mesh.gatewayNamespace) return [];
    return ofKind(objects, KIND.EnvoyFilter)
      .filter((f) => namespaceOf(f) !== mesh.gatewayNamespace)
      .map((f) =>
        violation(
          f,
          `lives in ${namespaceOf(f) ?? "no namespace"}, not in the egress gateway's namespace ${mesh.gatewayNamespace}`,
          `move it to ${mesh.gatewayNamespace} with a workloadSelector for the gateway, or drop it`,
        ),
      );
  },
};
