import { KIND, KubernetesObject } from "../../contract";
import { ipBlockRanges, reachesBeyondTenantOpenable } from "../../mesh/address-ranges";
import { declaredClusterRanges } from "../../mesh/cluster-ranges";
import { isBreakGlassObject } from "../../mesh/break-glass-objects";
import { MeshTopology } from "../../mesh/mesh-topology";
import { EgressRule, egressRules, ipBlockOf } from "../../mesh/network-policies";
import { namespacesNamedBy, selectsNamespace } from "../../mesh/namespace-selectors";
import { namespaceOf, ofKind } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";

/** Whether every port entry of a rule names a port: `{protocol: TCP}` alone opens them all. */
const namesPorts = (rule: EgressRule): boolean =>
  rule.ports.length > 0 && rule.ports.every((p) => p.port !== undefined && p.port !== null);

export const tenantEgressPlatformNamespacesPortScoped: StackRule = {
  name: "tenant-egress-platform-namespaces-port-scoped",
  description:
    "No egress rule of a tenant NetworkPolicy opens every port of a platform namespace: the egress gateway's, or " +
    "one any tenant policy reaches on named ports (istiod's, DNS). A catch-all " +
    "such as `to: [{namespaceSelector: {}}]`, a selector naming one of them, or an ipBlock (their pods live in " +
    "the private ranges too) with no ports, or ports without numbers, opens istiod's plaintext 15010/15014 and " +
    "makes any in-cluster proxy there a relay.",
  severity: "high",
  concern: "tenant-isolation",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Name the ports, or exclude those namespaces from the in-cluster rule (namespaceSelector matchExpressions kubernetes.io/metadata.name NotIn [...]).",
  kinds: [KIND.NetworkPolicy],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const out: Violation[] = [];
    const clusterRanges = declaredClusterRanges(objects, mesh.gatewayNamespace);
    const tenantPolicies = ofKind(objects, KIND.NetworkPolicy).filter(
      (p) => mesh.tenantNamespaces.has(namespaceOf(p) ?? "") && !isBreakGlassObject(p),
    );
    // The namespaces any tenant policy reaches on named ports (istiod's, DNS, the gateway's), and the gateway's:
    // one policy's catch-all voids another's port scoping just the same.
    const scoped = new Set([
      ...tenantPolicies
        .flatMap((p) => egressRules(p).filter(namesPorts))
        .flatMap((r) => r.peers.flatMap(namespacesNamedBy)),
      ...(mesh.gatewayNamespace ? [mesh.gatewayNamespace] : []),
    ]);
    for (const policy of tenantPolicies) {
      const rules = egressRules(policy);
      for (const rule of rules.filter((r) => !namesPorts(r))) {
        const opened = [...scoped].filter((ns) => rule.peers.some((peer) => selectsNamespace(peer, ns)));
        // Blocks reaching beyond the openable ranges are network-policy-no-internet-egress's; private ones hold platform pods.
        const blocks = rule.peers.map(ipBlockOf).filter((b) => {
          const ranges = b && ipBlockRanges(b.cidr, b.excepts);
          return ranges !== undefined && !reachesBeyondTenantOpenable(ranges, clusterRanges);
        });
        if (opened.length === 0 && blocks.length === 0) continue;
        const what =
          opened.length > 0
            ? `opens every port of ${opened.sort().join(", ")}`
            : `opens every port of ipBlock ${blocks.map((b) => b?.cidr).join(", ")}, where the platform's pods (istiod, DNS, the gateway) live too`;
        out.push(
          violation(
            policy,
            `egress rule ${rule.index} ${what}, voiding the port-scoped rules for them (istiod's plaintext 15010/15014, any proxy there as a relay)`,
            opened.length > 0
              ? `name the rule's ports, or exclude ${opened.join(", ")} from its namespaceSelector (matchExpressions kubernetes.io/metadata.name NotIn)`
              : "name the rule's ports, or select in-cluster peers by namespace instead of by address",
          ),
        );
      }
    }
    return out;
  },
};
