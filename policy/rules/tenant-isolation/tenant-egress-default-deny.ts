import { KIND, KubernetesObject } from "../../contract";
import { MeshTopology } from "../../mesh/mesh-topology";
import { restrictsEgress } from "../../mesh/network-policies";
import { byNamespace, isEmptyLabelSelector, ofKind, specOf } from "../../mesh/object-fields";
import { namespaceRef, StackRule, Violation, violation } from "../../engine/rule";

export const tenantEgressDefaultDeny: StackRule = {
  name: "tenant-egress-default-deny",
  description:
    "Every tenant namespace has a NetworkPolicy selecting all its pods (`podSelector: {}`) with policy type " +
    "Egress, so egress is denied unless allowed. REGISTRY_ONLY is best effort; this is the enforcement a pod " +
    "that bypasses its sidecar still meets.",
  severity: "high",
  concern: "tenant-isolation",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Add a NetworkPolicy with podSelector {} and policyTypes [Egress] allowing only DNS, istiod, the gateway and in-cluster pods.",
  kinds: [KIND.Namespace, KIND.NetworkPolicy, KIND.AuthorizationPolicy, KIND.ServiceEntry],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const policies = byNamespace(ofKind(objects, KIND.NetworkPolicy));
    const out: Violation[] = [];
    for (const tenant of [...mesh.tenantNamespaces].sort()) {
      const denies = (policies.get(tenant) ?? []).some(
        (p) => restrictsEgress(p) && isEmptyLabelSelector(specOf(p).podSelector),
      );
      if (!denies) {
        out.push(
          violation(
            namespaceRef(tenant),
            "tenant namespace has no NetworkPolicy that restricts egress of all its pods, so a pod that bypasses " +
              "its sidecar reaches the internet directly",
            "add a NetworkPolicy with podSelector {} and policyTypes [Egress] allowing only DNS, istiod, the " +
              "egress gateway and in-cluster pods",
          ),
        );
      }
    }
    return out;
  },
};
