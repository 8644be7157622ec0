import { KIND, KubernetesObject, TENANT_OPENABLE_RANGES } from "../../contract";
import { reachesBeyondTenantOpenable } from "../../mesh/address-ranges";
import { declaredClusterRanges } from "../../mesh/cluster-ranges";
import { isBreakGlassObject } from "../../mesh/break-glass-objects";
import { MeshTopology } from "../../mesh/mesh-topology";
import { egressReach } from "../../mesh/network-policies";
import { namespaceOf, ofKind } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";

export const networkPolicyNoInternetEgress: StackRule = {
  name: "network-policy-no-internet-egress",
  description:
    "No NetworkPolicy outside the egress gateway's namespace allows egress to public addresses: no ipBlock " +
    "whose CIDR (minus its excepts) covers public address space, and no egress rule without peers (which " +
    "allows every destination) unless it is DNS only. Only the gateway may reach the internet.",
  severity: "critical",
  concern: "tenant-isolation",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Remove the ipBlock (or narrow it to in-cluster ranges) and route external traffic through the egress gateway.",
  kinds: [KIND.NetworkPolicy],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const out: Violation[] = [];
    const clusterRanges = declaredClusterRanges(objects, mesh.gatewayNamespace);
    for (const policy of ofKind(objects, KIND.NetworkPolicy)) {
      if (mesh.gatewayNamespace !== undefined && namespaceOf(policy) === mesh.gatewayNamespace) continue;
      // A break-glass exception is judged by its own rules: labelled, expiring, and open on named TCP ports only.
      if (isBreakGlassObject(policy)) continue;
      for (const reach of egressReach(policy)) {
        const { index } = reach.rule;
        if (reach.kind === "anywhere") {
          out.push(
            violation(
              policy,
              `egress rule ${index} has no "to" peers, so it allows every destination, the internet included`,
              "name the in-cluster peers (namespaceSelector/podSelector) the rule is meant for",
            ),
          );
        } else if (reach.kind === "invalid-cidr") {
          out.push(
            violation(
              policy,
              `egress rule ${index} has an ipBlock "${reach.block.cidr}" that is not a CIDR`,
              "fix the CIDR, or remove the ipBlock",
            ),
          );
        } else if (reachesBeyondTenantOpenable(reach.ranges, clusterRanges)) {
          const { cidr, excepts } = reach.block;
          out.push(
            violation(
              policy,
              `egress rule ${index} allows ipBlock ${cidr}` +
                `${excepts.length > 0 ? ` except ${excepts.join(", ")}` : ""}, which reaches beyond the ranges a tenant may open ` +
                `(${TENANT_OPENABLE_RANGES.join(", ")} and cluster.internalCidrs; never public, link-local metadata or NAT64)`,
              "remove the ipBlock and send external traffic through the egress gateway",
            ),
          );
        }
      }
    }
    return out;
  },
};
