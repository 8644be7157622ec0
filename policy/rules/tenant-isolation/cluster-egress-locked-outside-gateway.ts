import {
  BREAK_GLASS_LABEL,
  DNS_PORT,
  KIND,
  KubernetesObject,
  LOCK_ALL_NAMESPACES_ANNOTATION,
  NAMESPACE_NAME_LABEL,
} from "../../contract";
import { AddressRange, parseCidr, reachesPublicAddresses, subtractRanges } from "../../mesh/address-ranges";
import { ruleNetworks } from "../../mesh/admin-network-policies";
import { declaredClusterRanges } from "../../mesh/cluster-ranges";
import { MeshTopology } from "../../mesh/mesh-topology";
import {
  annotationsOf,
  fields,
  fieldsList,
  labelsOf,
  nameOf,
  ofKind,
  specOf,
  text,
  texts,
} from "../../mesh/object-fields";
import { describeRef, StackRule, Violation, violation } from "../../engine/rule";

/** The cluster-wide lock: when the stack asks for it, every namespace but the gateway's loses the internet. */

/** The namespaces an AdminNetworkPolicy's subject leaves out, when it selects "every namespace but these". */
function exemptedNamespaces(policy: KubernetesObject): string[] | undefined {
  const subject = fields(specOf(policy).subject);
  if (!("namespaces" in subject)) return undefined;
  const selector = fields(subject.namespaces);
  if (Object.keys(fields(selector.matchLabels)).length > 0) return undefined;
  const expressions = fieldsList(selector.matchExpressions);
  if (expressions.length === 0) return [];
  if (expressions.length !== 1) return undefined;
  const [only] = expressions;
  if (text(only?.key) !== NAMESPACE_NAME_LABEL || text(only?.operator) !== "NotIn") return undefined;
  return texts(only?.values);
}

/** Why the policy's egress rules, read in order, let some public address through; undefined when none does. */
function publicEgressLeak(
  policy: KubernetesObject,
  clusterRanges: readonly AddressRange[],
): string | undefined {
  let undecided: AddressRange[] = ["0.0.0.0/0", "::/0"].map((c) => parseCidr(c) as AddressRange);
  for (const [index, rule] of fieldsList(specOf(policy).egress).entries()) {
    const action = text(rule.action);
    const ranges = ruleNetworks(rule);
    if (ranges.length === 0) continue;
    if (action === "Deny") {
      undecided = subtractRanges(undecided, ranges);
    } else {
      // The cluster's own ranges are inside the cluster, even when they are public addresses (EKS IPv6 pods).
      const reached = subtractRanges(
        subtractRanges(undecided, subtractRanges(undecided, ranges)),
        clusterRanges,
      );
      if (reachesPublicAddresses(reached)) {
        return `egress rule ${index} (${text(rule.name) ?? "unnamed"}) ${action === "Pass" ? "passes" : "allows"} public addresses before any Deny, so NetworkPolicies can let them out`;
      }
    }
  }
  return reachesPublicAddresses(subtractRanges(undecided, clusterRanges))
    ? "no Deny rule covers every public address of both families (0.0.0.0/0 and ::/0)"
    : undefined;
}

/** True when an ANP rule passes or allows some public address (its `networks` minus the cluster's own). */
function opensPublic(rule: Record<string, unknown>, clusterRanges: readonly AddressRange[]): boolean {
  if (text(rule.action) === "Deny") return false;
  return reachesPublicAddresses(subtractRanges(ruleNetworks(rule), clusterRanges));
}

/** The ports an ANP rule names; empty means every port. */
function rulePorts(rule: Record<string, unknown>): number[] {
  return fieldsList(rule.ports).map((p) => Number(fields(p.portNumber).port));
}

/**
 * Why an AdminNetworkPolicy evaluated before the lock undoes it, or undefined. Two shapes are expected
 * there: the DNS pods' upstream (pods of one namespace, port 53 only) and break-glass entries (labelled,
 * judged by the break-glass rules, never on every port).
 */
function passesAheadOfLock(
  policy: KubernetesObject,
  clusterRanges: readonly AddressRange[],
): string | undefined {
  const open = fieldsList(specOf(policy).egress).filter((rule) => opensPublic(rule, clusterRanges));
  if (open.length === 0) return undefined;
  const label = describeRef({ kind: policy.kind, name: nameOf(policy) });
  if (open.some((rule) => rulePorts(rule).length === 0)) {
    return `${label} passes public egress on every port ahead of the lock`;
  }
  if ((labelsOf(policy)[BREAK_GLASS_LABEL] ?? "") !== "") return undefined;
  const pods = fields(fields(specOf(policy).subject).pods);
  const oneNamespace =
    Object.keys(fields(fields(pods.namespaceSelector).matchLabels)).length > 0 &&
    Object.keys(fields(fields(pods.podSelector).matchLabels)).length > 0;
  const dnsOnly = open.every((rule) => rulePorts(rule).every((port) => port === DNS_PORT));
  return oneNamespace && dnsOnly
    ? undefined
    : `${label} passes public egress ahead of the lock for more than the DNS pods' port 53, and is no break-glass entry`;
}

export const clusterEgressLockedOutsideGateway: StackRule = {
  name: "cluster-egress-locked-outside-gateway",
  description:
    `When the stack locks every namespace (the gateway Namespace's \`${LOCK_ALL_NAMESPACES_ANNOTATION}\` annotation, ` +
    "from `cluster.lockAllNamespaces`), an AdminNetworkPolicy selects every namespace except the gateway's and the " +
    "declared exemptions (never a tenant) and denies egress to every public address, IPv4 and IPv6, before any rule " +
    "passes or allows it. AdminNetworkPolicies are evaluated before NetworkPolicies, so no namespace can undo it. " +
    "No AdminNetworkPolicy evaluated before it (a lower or equal priority) passes or allows public addresses, except " +
    "the cluster DNS pods on port 53 and break-glass entries on named ports.",
  severity: "high",
  concern: "tenant-isolation",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Deploy the AdminNetworkPolicy the stack renders for cluster.lockAllNamespaces, exempting only the gateway namespace and the declared exemptions.",
  kinds: [KIND.Namespace, KIND.AdminNetworkPolicy],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const ns = mesh.gatewayNamespace;
    if (ns === undefined) return [];
    const gatewayNamespace = ofKind(objects, KIND.Namespace).find((n) => nameOf(n) === ns);
    const declared = gatewayNamespace
      ? annotationsOf(gatewayNamespace)[LOCK_ALL_NAMESPACES_ANNOTATION]
      : undefined;
    if (gatewayNamespace === undefined || declared === undefined) return [];
    const exempt = declared
      .split(",")
      .map((n) => n.trim())
      .filter((n) => n !== "");
    const out: Violation[] = [];
    const exemptTenants = exempt.filter((n) => mesh.tenantNamespaces.has(n));
    if (exemptTenants.length > 0) {
      out.push(
        violation(
          gatewayNamespace,
          `declares tenant namespace(s) ${exemptTenants.join(", ")} exempt from the cluster-wide egress lock`,
          "remove tenants from cluster.lockAllNamespaces.exempt: their egress goes through the gateway only",
        ),
      );
    }
    const expected = new Set([ns, ...exempt.filter((n) => !mesh.tenantNamespaces.has(n))]);
    const policies = ofKind(objects, KIND.AdminNetworkPolicy);
    const clusterRanges = declaredClusterRanges(objects, ns)
      .map(parseCidr)
      .filter((r): r is AddressRange => r !== undefined);
    const problems: string[] = [];
    for (const policy of policies) {
      const exempted = exemptedNamespaces(policy);
      const leak = publicEgressLeak(policy, clusterRanges);
      const label = describeRef({ kind: policy.kind, name: nameOf(policy) });
      if (exempted === undefined) {
        problems.push(
          `${label} does not select "every namespace except a list" (kubernetes.io/metadata.name NotIn)`,
        );
        continue;
      }
      // Locking a declared exemption too is stricter than asked: only extra exemptions weaken the lock.
      const extra = exempted.filter((n) => !expected.has(n));
      if (!exempted.includes(ns)) {
        problems.push(`${label} also locks the gateway namespace ${ns}, the one way out`);
      } else if (extra.length > 0) {
        problems.push(`${label} exempts ${extra.join(", ")}, which the stack does not declare exempt`);
      } else if (leak) {
        problems.push(`${label}: ${leak}`);
      } else {
        // The lock holds unless a policy evaluated before it (a lower priority number) opens the internet again.
        const priority = Number(specOf(policy).priority);
        const ahead = policies
          .filter((other) => other !== policy && Number(specOf(other).priority) <= priority)
          .map((other) => passesAheadOfLock(other, clusterRanges))
          .filter((why): why is string => why !== undefined);
        if (ahead.length === 0) return out;
        problems.push(...ahead);
      }
    }
    out.push(
      violation(
        gatewayNamespace,
        policies.length === 0
          ? "asks for the cluster-wide egress lock, but no AdminNetworkPolicy denies egress outside the cluster, so non-tenant namespaces reach the internet directly"
          : `asks for the cluster-wide egress lock, but no AdminNetworkPolicy holds it: ${problems.join("; ")}`,
        `deploy an AdminNetworkPolicy selecting namespaces NotIn [${[...expected].join(", ")}] that passes in-cluster traffic and denies 0.0.0.0/0 and ::/0`,
      ),
    );
    return out;
  },
};
