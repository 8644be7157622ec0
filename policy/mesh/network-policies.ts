import { AddressRange, ipBlockRanges } from "./address-ranges";
import { KubernetesObject } from "../contract";
import { Fields, fields, fieldsList, list, specOf, text, texts } from "./object-fields";

/** One egress rule of a NetworkPolicy: its peers (`to`) and ports, with its position for messages. */
export interface EgressRule {
  readonly index: number;
  readonly peers: readonly Fields[];
  readonly ports: readonly Fields[];
}

/** The policy types in force: explicit, or Kubernetes' default (Ingress, plus Egress when egress rules exist). */
export function policyTypes(policy: KubernetesObject): string[] {
  const spec = specOf(policy);
  const explicit = texts(spec.policyTypes);
  if (explicit.length > 0) return explicit;
  return list(spec.egress).length > 0 ? ["Ingress", "Egress"] : ["Ingress"];
}

export function restrictsEgress(policy: KubernetesObject): boolean {
  return policyTypes(policy).includes("Egress");
}

export function egressRules(policy: KubernetesObject): EgressRule[] {
  if (!restrictsEgress(policy)) return [];
  return fieldsList(specOf(policy).egress).map((rule, index) => ({
    index,
    peers: fieldsList(rule.to),
    ports: fieldsList(rule.ports),
  }));
}

/** Whether an egress rule's ports are DNS only (53), the one thing commonly allowed to any peer. */
export function dnsOnly(ports: readonly Fields[]): boolean {
  return ports.length > 0 && ports.every((p) => String(p.port ?? "") === "53" || text(p.port) === "dns");
}

/** An ipBlock peer's CIDR and excepts; undefined for namespace/pod peers. */
export function ipBlockOf(peer: Fields): { cidr: string; excepts: string[] } | undefined {
  if (!("ipBlock" in peer)) return undefined;
  const block = fields(peer.ipBlock);
  return { cidr: text(block.cidr) ?? "", excepts: texts(block.except) };
}

export interface IpBlock {
  readonly cidr: string;
  readonly excepts: readonly string[];
}

/**
 * Where one egress rule lets pods go, as the address-based rules judge it: `anywhere` (no peers, and not
 * DNS only), an ipBlock that is not a CIDR, or the addresses an ipBlock covers once its excepts are removed.
 */
export type EgressReach =
  | { readonly kind: "anywhere"; readonly rule: EgressRule }
  | { readonly kind: "invalid-cidr"; readonly rule: EgressRule; readonly block: IpBlock }
  | {
      readonly kind: "addresses";
      readonly rule: EgressRule;
      readonly block: IpBlock;
      readonly ranges: AddressRange[];
    };

export function* egressReach(policy: KubernetesObject): Generator<EgressReach> {
  for (const rule of egressRules(policy)) {
    if (rule.peers.length === 0) {
      if (!dnsOnly(rule.ports)) yield { kind: "anywhere", rule };
      continue;
    }
    for (const peer of rule.peers) {
      const block = ipBlockOf(peer);
      if (!block) continue;
      const ranges = ipBlockRanges(block.cidr, block.excepts);
      yield ranges === undefined
        ? { kind: "invalid-cidr", rule, block }
        : { kind: "addresses", rule, block, ranges };
    }
  }
}
