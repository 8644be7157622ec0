import { KIND, KubernetesObject } from "../policy/contract";
import {
  parseAddress,
  parseCidr,
  reachesPublicAddresses,
  subtractRanges,
} from "../policy/mesh/address-ranges";
import { selectsNamespace } from "../policy/mesh/namespace-selectors";
import { egressReach, egressRules, policyTypes } from "../policy/mesh/network-policies";
import {
  Fields,
  fields,
  fieldsList,
  integer,
  isEmptyLabelSelector,
  namespaceOf,
  ofKind,
  specOf,
  stringMap,
  text,
  texts,
} from "../policy/mesh/object-fields";

/**
 * How Kubernetes NetworkPolicies (and the AdminNetworkPolicy lock) decide one connection, for trace: the
 * same egress readers the pack's tenant-isolation rules use, asked about one namespace, peer and port.
 */

/** Whether a NetworkPolicy port list admits `port` over TCP: no ports admit all; numbered ports and ranges. */
export function portsAdmit(ports: readonly Fields[], port: number): boolean {
  if (ports.length === 0) return true;
  return ports.some((p) => {
    if ((text(p.protocol) ?? "TCP") !== "TCP") return false;
    if (p.port === undefined) return true;
    const from = integer(p.port);
    // A named port names a container port this view cannot see: it admits nothing here.
    if (from === undefined) return false;
    const end = integer(p.endPort) ?? from;
    return port >= from && port <= end;
  });
}

/** Whether a LabelSelector (matchLabels and matchExpressions) selects pods with `labels`; empty selects all. */
export function labelSelectorSelects(selector: unknown, labels: Readonly<Record<string, string>>): boolean {
  const s = fields(selector);
  const wanted = stringMap(s.matchLabels);
  if (!Object.entries(wanted).every(([k, v]) => labels[k] === v)) return false;
  return fieldsList(s.matchExpressions).every((e) => {
    const key = text(e.key) ?? "";
    const values = texts(e.values);
    switch (text(e.operator)) {
      case "In":
        return key in labels && values.includes(labels[key] ?? "");
      case "NotIn":
        return !(key in labels) || !values.includes(labels[key] ?? "");
      case "Exists":
        return key in labels;
      case "DoesNotExist":
        return !(key in labels);
      default:
        return false;
    }
  });
}

/** Pods a peer of a policy in `policyNamespace` picks: namespace and pod labels of the target. */
function peerSelectsPods(
  peer: Fields,
  policyNamespace: string,
  target: { namespace: string; labels: Readonly<Record<string, string>> },
): boolean {
  // ipBlock is meant for addresses outside the cluster; Kubernetes leaves its effect on pod IPs to the CNI.
  if ("ipBlock" in peer) return false;
  const namespaceOk =
    "namespaceSelector" in peer
      ? selectsNamespace(peer, target.namespace)
      : policyNamespace === target.namespace;
  const podOk = "podSelector" in peer ? labelSelectorSelects(peer.podSelector, target.labels) : true;
  return namespaceOk && podOk;
}

/** The namespace's NetworkPolicies of one direction: all of them, any podSelector (some pods may be picked). */
function policiesOf(
  objects: readonly KubernetesObject[],
  namespace: string,
  direction: "Egress" | "Ingress",
  podLabels?: Readonly<Record<string, string>>,
): KubernetesObject[] {
  return ofKind(objects, KIND.NetworkPolicy).filter(
    (p) =>
      namespaceOf(p) === namespace &&
      policyTypes(p).includes(direction) &&
      (podLabels === undefined || labelSelectorSelects(specOf(p).podSelector, podLabels)),
  );
}

export interface PolicyDecision {
  readonly allowed: boolean;
  /** The policy that allows it, or the one that isolates the pods when none does; none when nothing isolates. */
  readonly object?: KubernetesObject;
}

/** Egress from `namespace` to pods of `target` on `port`: open when no policy isolates, else when a rule allows. */
export function egressToPods(
  objects: readonly KubernetesObject[],
  namespace: string,
  target: { namespace: string; labels: Readonly<Record<string, string>> },
  port: number,
): PolicyDecision {
  const policies = policiesOf(objects, namespace, "Egress");
  if (policies.length === 0) return { allowed: true };
  for (const policy of policies) {
    for (const rule of egressRules(policy)) {
      const peers = rule.peers.length === 0 || rule.peers.some((p) => peerSelectsPods(p, namespace, target));
      if (peers && portsAdmit(rule.ports, port)) return { allowed: true, object: policy };
    }
  }
  return { allowed: false, object: isolating(policies) };
}

/** Ingress to pods with `podLabels` in `namespace` from pods of `source` namespace on `port`. */
export function ingressFromNamespace(
  objects: readonly KubernetesObject[],
  namespace: string,
  podLabels: Readonly<Record<string, string>>,
  source: string,
  port: number,
): PolicyDecision {
  const policies = policiesOf(objects, namespace, "Ingress", podLabels);
  if (policies.length === 0) return { allowed: true };
  for (const policy of policies) {
    for (const rule of fieldsList(specOf(policy).ingress)) {
      const from = fieldsList(rule.from);
      const peers =
        from.length === 0 ||
        from.some((p) => peerSelectsPods(p, namespace, { namespace: source, labels: {} }));
      if (peers && portsAdmit(fieldsList(rule.ports), port)) return { allowed: true, object: policy };
    }
  }
  return { allowed: false, object: isolating(policies) };
}

function isolating(policies: readonly KubernetesObject[]): KubernetesObject | undefined {
  return policies.find((p) => isEmptyLabelSelector(specOf(p).podSelector)) ?? policies[0];
}

/**
 * Egress from `namespace` (pods with `podLabels`, or any pod when absent) to a public address on `port`:
 * to one of `addresses` when they are known (pinned endpoints), else to any public address.
 */
export function egressToInternet(
  objects: readonly KubernetesObject[],
  namespace: string,
  port: number,
  addresses: readonly string[] = [],
  podLabels?: Readonly<Record<string, string>>,
): PolicyDecision & { readonly isolated: boolean } {
  const policies = policiesOf(objects, namespace, "Egress", podLabels);
  if (policies.length === 0) return { allowed: true, isolated: false };
  const targets = addresses.map(parseAddress).filter((a) => a !== undefined);
  for (const policy of policies) {
    for (const reach of egressReach(policy)) {
      if (!portsAdmit(reach.rule.ports, port)) continue;
      if (reach.kind === "anywhere") return { allowed: true, isolated: true, object: policy };
      if (reach.kind !== "addresses") continue;
      const hits =
        targets.length > 0
          ? targets.every((t) => subtractRanges([t], reach.ranges).length === 0)
          : reachesPublicAddresses(reach.ranges);
      if (hits) return { allowed: true, isolated: true, object: policy };
    }
  }
  return { allowed: false, isolated: true, ...withObject(isolating(policies)) };
}

const withObject = (object: KubernetesObject | undefined) => (object ? { object } : {});

/** Whether an ANP subject picks `namespace` (every namespace, by name label, or every one but some). */
function anpSubjectSelects(policy: KubernetesObject, namespace: string): boolean {
  const subject = fields(specOf(policy).subject);
  if ("namespaces" in subject) return selectsNamespace({ namespaceSelector: subject.namespaces }, namespace);
  if ("pods" in subject)
    return selectsNamespace({ namespaceSelector: fields(subject.pods).namespaceSelector }, namespace);
  return false;
}

/**
 * The first AdminNetworkPolicy rule (lowest priority number first, rules in order) that decides egress from
 * `namespace` to the internet on `port`, as the lock is read: Deny blocks, Allow admits, Pass defers to the
 * NetworkPolicies. Undefined when no ANP rule concerns it.
 */
export function adminEgressToInternet(
  objects: readonly KubernetesObject[],
  namespace: string,
  port: number,
): { action: "Deny" | "Allow" | "Pass"; object: KubernetesObject } | undefined {
  const policies = ofKind(objects, KIND.AdminNetworkPolicy)
    .filter((p) => anpSubjectSelects(p, namespace))
    .sort((a, b) => (integer(specOf(a).priority) ?? 0) - (integer(specOf(b).priority) ?? 0));
  for (const policy of policies) {
    for (const rule of fieldsList(specOf(policy).egress)) {
      const networks = fieldsList(rule.to).flatMap((peer) => texts(peer.networks));
      const ranges = networks.map((n) => parseCidr(n)).filter((r) => r !== undefined);
      const covers = reachesPublicAddresses(ranges);
      const ports = fieldsList(rule.ports).map((p) => integer(fields(p.portNumber).port));
      if (!covers || (ports.length > 0 && !ports.includes(port))) continue;
      const action = text(rule.action);
      if (action === "Deny" || action === "Allow" || action === "Pass") return { action, object: policy };
    }
  }
  return undefined;
}
