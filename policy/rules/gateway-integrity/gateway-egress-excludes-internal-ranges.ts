import {
  CHART_KINDS,
  CLUSTER_INTERNAL_CIDRS_ANNOTATION,
  NODE_LOCAL_DNS_ANNOTATION,
  GATEWAY_EXCLUDED_RANGES,
  KIND,
  KubernetesObject,
} from "../../contract";
import { formatRange, internalRangesReached, normaliseCidr, parseCidr } from "../../mesh/address-ranges";
import { declaredClusterRanges, declaredNodeLocalDns } from "../../mesh/cluster-ranges";
import { egressGatewayReleases } from "../../mesh/mesh-object-readers";
import { MeshTopology } from "../../mesh/mesh-topology";
import { dnsOnly, egressReach, restrictsEgress } from "../../mesh/network-policies";
import {
  dig,
  isEmptyLabelSelector,
  namespaceOf,
  ofKind,
  selectorMatches,
  specOf,
} from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";

export const gatewayEgressExcludesInternalRanges: StackRule = {
  name: "gateway-egress-excludes-internal-ranges",
  description:
    "A NetworkPolicy restricts the egress gateway's own egress, and every ipBlock it allows excepts the " +
    `private, shared, loopback and link-local ranges (${GATEWAY_EXCLUDED_RANGES.join(", ")}), and the cluster's own ranges ` +
    `declared on the gateway Namespace (\`${CLUSTER_INTERNAL_CIDRS_ANNOTATION}\`, from cluster.internalCidrs). The one exception: a ` +
    `single node-local DNS cache address declared there (\`${NODE_LOCAL_DNS_ANNOTATION}\`), on port 53 only. A registered name that ` +
    "resolves to an internal address (DNS rebinding) or to the cloud metadata endpoint then stays unreachable.",
  severity: "critical",
  concern: "gateway-integrity",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: `Allow 0.0.0.0/0 and ::/0 only with except: ${GATEWAY_EXCLUDED_RANGES.join(", ")} (per family).`,
  kinds: [KIND.Namespace, KIND.NetworkPolicy, ...CHART_KINDS, KIND.Deployment, KIND.Gateway],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const ns = mesh.gatewayNamespace;
    if (ns === undefined) return [];
    const out: Violation[] = [];
    const clusterRanges = declaredClusterRanges(objects, ns);
    const nodeLocalDns = new Set(declaredNodeLocalDns(objects, ns).map((c) => normaliseCidr(c) ?? c));
    const internal = [...GATEWAY_EXCLUDED_RANGES, ...clusterRanges];
    const exceptFix = `except ${internal.join(", ")} in the ipBlocks (IPv4 ranges on IPv4 blocks, IPv6 on IPv6)`;
    const policies = ofKind(objects, KIND.NetworkPolicy).filter((p) => {
      const selector = specOf(p).podSelector;
      return (
        namespaceOf(p) === ns &&
        restrictsEgress(p) &&
        (isEmptyLabelSelector(selector) || selectorMatches(selector, mesh.gatewayLabels))
      );
    });
    if (policies.length === 0) {
      out.push(
        violation(
          { kind: "Namespace", name: ns },
          "no NetworkPolicy restricts the egress gateway's egress, so it can reach private ranges and the cloud metadata endpoint",
          `add a NetworkPolicy selecting the gateway with policyTypes [Egress] allowing DNS, istiod and 0.0.0.0/0 + ::/0 ${exceptFix}`,
        ),
      );
    }
    for (const policy of policies) {
      for (const reach of egressReach(policy)) {
        const { index } = reach.rule;
        if (reach.kind === "anywhere") {
          out.push(
            violation(
              policy,
              `egress rule ${index} has no "to" peers, so the gateway may reach every address, internal ranges included`,
              `replace it with ipBlocks 0.0.0.0/0 and ::/0 that ${exceptFix}`,
            ),
          );
        } else if (reach.kind === "invalid-cidr") {
          out.push(
            violation(
              policy,
              `egress rule ${index} has an ipBlock "${reach.block.cidr}" that is not a CIDR`,
              "fix the CIDR",
            ),
          );
        } else {
          // A declared node-local DNS cache, on port 53 only: a host-network agent no podSelector can name.
          const host = parseCidr(reach.block.cidr);
          const oneHost = host !== undefined && host.start === host.end;
          if (oneHost && dnsOnly(reach.rule.ports) && nodeLocalDns.has(formatRange(host))) continue;
          const reached = internalRangesReached(reach.ranges, clusterRanges);
          if (reached.length > 0) {
            out.push(
              violation(
                policy,
                `egress rule ${index} ipBlock ${reach.block.cidr} lets the gateway reach internal ranges ${reached.join(", ")}`,
                `add ${reached.join(", ")} to the ipBlock's except list`,
              ),
            );
          }
        }
      }
    }
    for (const release of egressGatewayReleases(objects)) {
      if (release.namespace !== ns) continue;
      if (dig(release.values, "global", "networkPolicy", "enabled") === true) {
        out.push(
          violation(
            release.object,
            "enables the chart's own NetworkPolicy, which allows all egress; NetworkPolicies add up, so it cancels the platform's",
            "remove values.global.networkPolicy.enabled and keep the platform's NetworkPolicy",
          ),
        );
      }
    }
    return out;
  },
};
