import { BREAK_GLASS_LABEL, KIND, KubernetesObject } from "../../contract";
import { AddressRange, parseCidr, reachesPublicAddresses, subtractRanges } from "../../mesh/address-ranges";
import { ruleDomainNames, ruleNetworkCidrs } from "../../mesh/admin-network-policies";
import { isBreakGlassObject } from "../../mesh/break-glass-objects";
import { declaredClusterRanges } from "../../mesh/cluster-ranges";
import { MeshTopology } from "../../mesh/mesh-topology";
import { egressReach } from "../../mesh/network-policies";
import { Fields, fields, fieldsList, isKind, labelsOf, specOf, text } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";

/**
 * The other address rules leave break-glass objects to the break-glass rules, and Kubernetes reads a
 * missing or empty `ports` as every port: this rule keeps a break-glass hole as narrow as the program
 * renders it, one TCP port of the tenant's services at a time.
 */

const FIX =
  "list the tenant's service ports, one TCP port number each (ports: [{ protocol: TCP, port: 443 }]), " +
  "without endPort, ranges or named ports";

/** Why a NetworkPolicy port does not name one TCP port; undefined when it does. */
function networkPolicyPortProblem(port: Fields): string | undefined {
  const protocol = text(port.protocol) ?? "TCP";
  if (protocol !== "TCP")
    return port.port === undefined ? `every ${protocol} port` : `${protocol} port ${String(port.port)}`;
  if (port.port === undefined) return "a TCP entry without a port, so every TCP port";
  if (typeof port.port !== "number")
    return `named port "${String(port.port)}", whichever number a pod gives it`;
  if (port.endPort !== undefined) return `the range ${port.port}-${String(port.endPort)}`;
  return undefined;
}

/** Why an AdminNetworkPolicy port does not name one TCP port; undefined when it does. */
function adminPortProblem(port: Fields): string | undefined {
  if ("portRange" in port) {
    const range = fields(port.portRange);
    return `the range ${String(range.start)}-${String(range.end)}`;
  }
  if ("namedPort" in port) return `named port "${String(port.namedPort)}", whichever number a pod gives it`;
  const number = fields(port.portNumber);
  const protocol = text(number.protocol) ?? "TCP";
  if (protocol !== "TCP") return `${protocol} port ${String(number.port)}`;
  if (typeof number.port !== "number") return `a port entry without a port number`;
  return undefined;
}

/** What is wrong with a rule's ports, joined for a message; undefined when each names one TCP port. */
function portsProblem(ports: readonly Fields[], problemOf: (port: Fields) => string | undefined) {
  if (ports.length === 0) return "every port (no ports listed)";
  const problems = ports.map(problemOf).filter((p): p is string => p !== undefined);
  return problems.length === 0 ? undefined : problems.join(", ");
}

/** Whether `ranges`, minus the cluster's own, hold a public address. */
const publicBeyondCluster = (ranges: readonly AddressRange[], cluster: readonly AddressRange[]) =>
  reachesPublicAddresses(subtractRanges(ranges, cluster));

function networkPolicyViolations(policy: KubernetesObject, cluster: readonly AddressRange[]): Violation[] {
  const opened = new Map<number, readonly Fields[]>();
  for (const reach of egressReach(policy)) {
    // No peers, or a CIDR that cannot be judged, counts as public: the rule fails closed.
    const reachesPublic = reach.kind !== "addresses" || publicBeyondCluster(reach.ranges, cluster);
    if (reachesPublic) opened.set(reach.rule.index, reach.rule.ports);
  }
  return [...opened].flatMap(([index, ports]) => {
    const problem = portsProblem(ports, networkPolicyPortProblem);
    return problem === undefined
      ? []
      : [
          violation(
            policy,
            `is break-glass "${labelsOf(policy)[BREAK_GLASS_LABEL]}" and its egress rule ${index} lets pods reach public addresses on ${problem}`,
            FIX,
          ),
        ];
  });
}

function adminNetworkPolicyViolations(
  policy: KubernetesObject,
  cluster: readonly AddressRange[],
): Violation[] {
  return fieldsList(specOf(policy).egress).flatMap((rule, index) => {
    const action = text(rule.action);
    if (action !== "Allow" && action !== "Pass") return [];
    const cidrs = ruleNetworkCidrs(rule);
    const ranges = cidrs.map(parseCidr);
    const reachesPublic =
      ruleDomainNames(rule).length > 0 ||
      ranges.some((r) => r === undefined) ||
      publicBeyondCluster(
        ranges.filter((r): r is AddressRange => r !== undefined),
        cluster,
      );
    const problem = reachesPublic ? portsProblem(fieldsList(rule.ports), adminPortProblem) : undefined;
    return problem === undefined
      ? []
      : [
          violation(
            policy,
            `is break-glass "${labelsOf(policy)[BREAK_GLASS_LABEL]}" and its egress rule ${index} (${text(rule.name) ?? "unnamed"}) ` +
              `${action === "Pass" ? "passes" : "allows"} public addresses on ${problem}`,
            FIX,
          ),
        ];
  });
}

export const breakGlassPublicEgressPortScoped: StackRule = {
  name: "break-glass-public-egress-port-scoped",
  description:
    "A break-glass object that lets tenants reach public addresses (a NetworkPolicy egress rule with a public " +
    "ipBlock or no `to`, an AdminNetworkPolicy or BaselineAdminNetworkPolicy Allow or Pass rule with public " +
    "`networks`) names its TCP ports one by one: at least one port, each a number, no `endPort`, range or named " +
    "port. Kubernetes reads a missing or empty `ports` as every port, and the address rules leave break-glass " +
    "objects to these rules.",
  severity: "critical",
  concern: "break-glass",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "List the tenant's service ports, one TCP port number each, in every egress rule that reaches public addresses.",
  kinds: [KIND.NetworkPolicy, KIND.AdminNetworkPolicy, KIND.BaselineAdminNetworkPolicy],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    // The cluster's own ranges are inside the cluster, even when they are public addresses (EKS IPv6 pods).
    const cluster = declaredClusterRanges(objects, mesh.gatewayNamespace)
      .map(parseCidr)
      .filter((r): r is AddressRange => r !== undefined);
    return objects.filter(isBreakGlassObject).flatMap((object) => {
      if (isKind(object, KIND.NetworkPolicy)) return networkPolicyViolations(object, cluster);
      const admin =
        isKind(object, KIND.AdminNetworkPolicy) || isKind(object, KIND.BaselineAdminNetworkPolicy);
      return admin ? adminNetworkPolicyViolations(object, cluster) : [];
    });
  },
};
