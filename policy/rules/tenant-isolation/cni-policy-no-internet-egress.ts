import { KIND, KubernetesObject, ObjectKind, TENANT_OPENABLE_RANGES } from "../../contract";
import { ipBlockRanges, reachesBeyondTenantOpenable } from "../../mesh/address-ranges";
import { isBreakGlassObject } from "../../mesh/break-glass-objects";
import { declaredClusterRanges } from "../../mesh/cluster-ranges";
import { MeshTopology } from "../../mesh/mesh-topology";
import {
  Fields,
  fields,
  fieldsList,
  isKind,
  list,
  namespaceOf,
  ofKind,
  specOf,
  stringMap,
  text,
  texts,
} from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";

/**
 * Tenant isolation, CNI policy kinds: Cilium's and Calico's policies are allow rules beside our NetworkPolicy
 * (a pod's egress is the union of every policy that selects it), so they are judged like NetworkPolicies: egress
 * only to in-cluster peers and the ranges a tenant may open, never to names (toFQDNs, domains) or the world.
 */

const CILIUM_KINDS: readonly ObjectKind[] = [KIND.CiliumNetworkPolicy, KIND.CiliumClusterwideNetworkPolicy];
const CALICO_KINDS: readonly ObjectKind[] = [
  KIND.CalicoNetworkPolicy,
  KIND.CalicoGlobalNetworkPolicy,
  KIND.CalicoCrdNetworkPolicy,
  KIND.CalicoCrdGlobalNetworkPolicy,
];

/** Cilium entities inside the cluster; `world`, `world-ipv4`, `world-ipv6` and `all` reach the internet. */
const IN_CLUSTER_ENTITIES = new Set([
  "cluster",
  "host",
  "remote-node",
  "kube-apiserver",
  "health",
  "init",
  "ingress",
  "unmanaged",
]);
const CILIUM_PEERS = [
  "toEndpoints",
  "toServices",
  "toEntities",
  "toCIDR",
  "toCIDRSet",
  "toFQDNs",
  "toNodes",
  "toGroups",
  "toRequires",
];
const CALICO_SET_KINDS: readonly ObjectKind[] = [
  KIND.CalicoNetworkSet,
  KIND.CalicoGlobalNetworkSet,
  KIND.CalicoCrdNetworkSet,
  KIND.CalicoCrdGlobalNetworkSet,
];
const EVERYWHERE = ["0.0.0.0/0", "::/0"];

/**
 * The `reserved:` identities (world, host, …) a Cilium endpoint selector names. Cilium scopes toEndpoints to the
 * policy's namespace unless the selector names one, so `reserved:world` there reaches the internet as the entity would.
 */
function reservedIdentities(selector: Fields): string[] {
  const keys = [
    ...Object.keys(fields(selector.matchLabels)),
    ...fieldsList(selector.matchExpressions).map((e) => text(e.key) ?? ""),
  ];
  return keys.filter((k) => /^(k8s:|any:)?reserved[:.]/.test(k));
}

/** Whether a rule's ports are DNS alone (53), the one thing commonly allowed to any peer. */
function dnsPortsOnly(ports: readonly unknown[]): boolean {
  return ports.length > 0 && ports.every((p) => String(typeof p === "object" ? fields(p).port : p) === "53");
}

/** What one Cilium egress rule opens beyond the tenant-openable ranges, as phrases. */
function ciliumRuleGaps(rule: Fields, index: string, clusterRanges: readonly string[]): string[] {
  const gaps: string[] = [];
  const beyond = (cidr: string, excepts: readonly string[]): boolean => {
    const ranges = ipBlockRanges(cidr, excepts);
    return ranges === undefined || reachesBeyondTenantOpenable(ranges, clusterRanges);
  };
  if (!CILIUM_PEERS.some((peer) => peer in rule)) {
    const ports = fieldsList(rule.toPorts).flatMap((p) => fieldsList(p.ports));
    if (!dnsPortsOnly(ports)) gaps.push(`egress rule ${index} names no peer, so it allows every destination`);
  }
  if (list(rule.toFQDNs).length > 0)
    gaps.push(`egress rule ${index} allows names (toFQDNs), outside the cluster`);
  if (list(rule.toGroups).length > 0)
    gaps.push(`egress rule ${index} allows cloud groups (toGroups), outside the cluster`);
  for (const reserved of [...new Set(fieldsList(rule.toEndpoints).flatMap(reservedIdentities))])
    gaps.push(
      `egress rule ${index} selects the identity ${reserved} in toEndpoints, outside the policy's namespace`,
    );
  for (const cidr of texts(rule.toCIDR)) {
    if (beyond(cidr, [])) gaps.push(`egress rule ${index} allows toCIDR ${cidr}`);
  }
  for (const set of fieldsList(rule.toCIDRSet)) {
    const cidr = text(set.cidr);
    if (cidr === undefined)
      gaps.push(
        `egress rule ${index} allows a toCIDRSet without a literal cidr (a CIDR group), which cannot be judged`,
      );
    else if (beyond(cidr, texts(set.except)))
      gaps.push(
        `egress rule ${index} allows toCIDRSet ${cidr}${texts(set.except).length > 0 ? ` except ${texts(set.except).join(", ")}` : ""}`,
      );
  }
  for (const entity of texts(rule.toEntities)) {
    if (!IN_CLUSTER_ENTITIES.has(entity)) gaps.push(`egress rule ${index} allows the entity ${entity}`);
  }
  return gaps;
}

function ciliumGaps(policy: KubernetesObject, clusterRanges: readonly string[]): string[] {
  const specs = [policy.spec, ...list((policy as { specs?: unknown }).specs)]
    .filter((s) => s !== undefined)
    .map(fields);
  return specs.flatMap((spec, s) =>
    // A host policy (nodeSelector) governs nodes, not pods: the node's own egress is not a tenant's.
    spec.nodeSelector !== undefined
      ? []
      : fieldsList(spec.egress).flatMap((rule, r) =>
          ciliumRuleGaps(rule, specs.length > 1 ? `${s}.${r}` : `${r}`, clusterRanges),
        ),
  );
}

/** What one Calico egress rule allows beyond the tenant-openable ranges, as phrases. */
function calicoRuleGaps(rule: Fields, index: number, clusterRanges: readonly string[]): string[] {
  const action = text(rule.action) ?? "";
  if (action === "Deny" || action === "Log") return [];
  if (action === "Pass") {
    return [
      `egress rule ${index} passes the decision on, and without a later policy Calico's namespace profile allows everything`,
    ];
  }
  const destination = fields(rule.destination);
  const gaps: string[] = [];
  const nets = texts(destination.nets);
  const notNets = texts(destination.notNets);
  const peers = [
    "nets",
    "notNets",
    "selector",
    "namespaceSelector",
    "serviceAccounts",
    "services",
    "domains",
  ];
  if (!peers.some((p) => p in destination)) {
    const ports = list(destination.ports);
    if (!dnsPortsOnly(ports))
      gaps.push(`egress rule ${index} (Allow) names no destination, so it allows every destination`);
  }
  if (list(destination.domains).length > 0)
    gaps.push(`egress rule ${index} allows domains, outside the cluster`);
  if ((text(destination.namespaceSelector) ?? "").includes("global("))
    gaps.push(
      `egress rule ${index} selects global() in its destination namespaceSelector, so any GlobalNetworkSet's nets`,
    );
  for (const cidr of nets.length > 0 ? nets : notNets.length > 0 ? EVERYWHERE : []) {
    const ranges = ipBlockRanges(cidr, notNets);
    if (ranges === undefined || reachesBeyondTenantOpenable(ranges, clusterRanges)) {
      gaps.push(
        `egress rule ${index} allows ${nets.length > 0 ? `nets ${cidr}` : `everything outside notNets ${notNets.join(", ")}`}${nets.length > 0 && notNets.length > 0 ? ` except ${notNets.join(", ")}` : ""}`,
      );
    }
  }
  return gaps;
}

function calicoGaps(policy: KubernetesObject, clusterRanges: readonly string[]): string[] {
  const spec = specOf(policy);
  const types = texts(spec.types);
  if (types.length > 0 && !types.includes("Egress")) return [];
  return fieldsList(spec.egress).flatMap((rule, index) => calicoRuleGaps(rule, index, clusterRanges));
}

/** What one Calico (Global)NetworkSet holds beyond the tenant-openable ranges, as phrases: policy selectors reach it. */
function networkSetGaps(set: KubernetesObject, clusterRanges: readonly string[]): string[] {
  const spec = specOf(set);
  const gaps: string[] = [];
  for (const cidr of texts(spec.nets)) {
    const ranges = ipBlockRanges(cidr, []);
    if (ranges === undefined || reachesBeyondTenantOpenable(ranges, clusterRanges))
      gaps.push(`holds nets ${cidr}, which any policy selecting the set allows`);
  }
  if (list(spec.allowedEgressDomains).length > 0)
    gaps.push("holds allowedEgressDomains, names outside the cluster any policy selecting the set allows");
  return gaps;
}

/** Whether a cluster-wide policy is scoped to the gateway namespace alone (the platform's own egress). */
function scopedToGateway(policy: KubernetesObject, gatewayNamespace: string | undefined): boolean {
  if (gatewayNamespace === undefined) return false;
  const spec = specOf(policy);
  const cilium = stringMap(fields(spec.endpointSelector).matchLabels);
  const ciliumNamespace = cilium["k8s:io.kubernetes.pod.namespace"] ?? cilium["io.kubernetes.pod.namespace"];
  const calico = text(spec.namespaceSelector)?.replace(/\s+/g, "");
  return (
    ciliumNamespace === gatewayNamespace ||
    calico === `projectcalico.org/name=='${gatewayNamespace}'` ||
    calico === `projectcalico.org/name=="${gatewayNamespace}"`
  );
}

export const cniPolicyNoInternetEgress: StackRule = {
  name: "cni-policy-no-internet-egress",
  description:
    "No CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy or Calico NetworkPolicy/GlobalNetworkPolicy " +
    "(projectcalico.org/v3 or crd.projectcalico.org/v1) outside the egress gateway's namespace allows egress " +
    "beyond the ranges a tenant may open: no toFQDNs or domains, no toCIDR/toCIDRSet/nets reaching public space, " +
    "link-local metadata or NAT64, no toEntities world or all, no reserved: identity (world) in toEndpoints, no " +
    "toGroups, no rule without a peer (unless DNS only), no Calico Pass or global() namespaceSelector, and no Calico " +
    "NetworkSet or GlobalNetworkSet holding such nets or allowedEgressDomains (a policy selector matching it allows them). These CNIs add their allow rules to our NetworkPolicy's, so one such rule undoes the egress lock.",
  severity: "critical",
  concern: "tenant-isolation",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Remove the rule (or narrow it to in-cluster peers and ranges) and route external traffic through the egress gateway.",
  kinds: [...CILIUM_KINDS, ...CALICO_KINDS, ...CALICO_SET_KINDS],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const clusterRanges = declaredClusterRanges(objects, mesh.gatewayNamespace);
    const out: Violation[] = [];
    for (const policy of [...CILIUM_KINDS, ...CALICO_KINDS, ...CALICO_SET_KINDS].flatMap((k) =>
      ofKind(objects, k),
    )) {
      const namespace = namespaceOf(policy);
      if (namespace !== undefined && namespace === mesh.gatewayNamespace) continue;
      if (namespace === undefined && scopedToGateway(policy, mesh.gatewayNamespace)) continue;
      if (isBreakGlassObject(policy)) continue;
      const gaps = CILIUM_KINDS.some((k) => isKind(policy, k))
        ? ciliumGaps(policy, clusterRanges)
        : CALICO_SET_KINDS.some((k) => isKind(policy, k))
          ? networkSetGaps(policy, clusterRanges)
          : calicoGaps(policy, clusterRanges);
      for (const gap of gaps) {
        out.push(
          violation(
            policy,
            `${gap}, beyond the ranges a tenant may open (${TENANT_OPENABLE_RANGES.join(", ")} and cluster.internalCidrs)`,
            "remove the rule or narrow it to in-cluster peers; external services go through the egress gateway",
          ),
        );
      }
    }
    return out;
  },
};
