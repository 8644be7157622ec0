import { KIND, KubernetesObject } from "../../contract";
import { AddressRange, subtractRanges } from "../../mesh/address-ranges";
import { MeshTopology } from "../../mesh/mesh-topology";
import { egressReach, restrictsEgress } from "../../mesh/network-policies";
import {
  Fields,
  isEmptyLabelSelector,
  namespaceOf,
  ofKind,
  selectorMatches,
  specOf,
  text,
} from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";

/** A port entry of a NetworkPolicy rule: protocol and a port (number or name) or a numeric range. */
interface PortSpan {
  readonly protocol: string;
  readonly port?: string;
  readonly start?: number;
  readonly end?: number;
}

function portSpans(ports: readonly Fields[]): PortSpan[] | "all" {
  if (ports.length === 0) return "all";
  return ports.map((p) => {
    const protocol = text(p.protocol) ?? "TCP";
    const port = p.port === undefined ? undefined : String(p.port);
    const start = port !== undefined && /^\d+$/.test(port) ? Number(port) : undefined;
    const endPort = typeof p.endPort === "number" ? p.endPort : start;
    return { protocol, port, start, end: endPort };
  });
}

function spansOverlap(a: PortSpan, b: PortSpan): boolean {
  if (a.protocol !== b.protocol) return false;
  if (a.port === undefined || b.port === undefined) return true;
  if (a.start === undefined || b.start === undefined) return a.port === b.port;
  return a.start <= (b.end ?? b.start) && b.start <= (a.end ?? a.start);
}

function sharePorts(a: PortSpan[] | "all", b: PortSpan[] | "all"): boolean {
  if (a === "all" || b === "all") return true;
  return a.some((x) => b.some((y) => spansOverlap(x, y)));
}

function describePorts(spans: PortSpan[] | "all"): string {
  return spans === "all" ? "every port" : spans.map((s) => `${s.port ?? "any"}/${s.protocol}`).join(", ");
}

/** One egress rule of a gateway NetworkPolicy, as addresses reached on ports. */
interface AddressRule {
  readonly policy: KubernetesObject;
  readonly index: number;
  readonly cidrs: string[];
  readonly ranges: AddressRange[];
  readonly ports: PortSpan[] | "all";
}

export const gatewayEgressNarrowingEffective: StackRule = {
  name: "gateway-egress-narrowing-effective",
  description:
    "No egress rule of the egress gateway's NetworkPolicies allows a strict subset of the addresses another rule " +
    "already allows on the same port. NetworkPolicy rules add up, so such a rule narrows nothing: an allow-list " +
    "(the old `allowedCidrs` shape) beside the internet rule on the same port reads as a restriction and is none.",
  severity: "medium",
  concern: "gateway-integrity",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Narrow a port by removing it from the broader rule (pin every service on it), or delete the narrower rule.",
  kinds: [KIND.NetworkPolicy],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const ns = mesh.gatewayNamespace;
    if (ns === undefined) return [];
    const rules: AddressRule[] = [];
    for (const policy of ofKind(objects, KIND.NetworkPolicy)) {
      const selector = specOf(policy).podSelector;
      if (namespaceOf(policy) !== ns || !restrictsEgress(policy)) continue;
      if (!isEmptyLabelSelector(selector) && !selectorMatches(selector, mesh.gatewayLabels)) continue;
      const byRule = new Map<number, AddressRule>();
      for (const reach of egressReach(policy)) {
        if (reach.kind !== "addresses") continue;
        const current = byRule.get(reach.rule.index) ?? {
          policy,
          index: reach.rule.index,
          cidrs: [],
          ranges: [],
          ports: portSpans(reach.rule.ports),
        };
        current.cidrs.push(reach.block.cidr);
        current.ranges.push(...reach.ranges);
        byRule.set(reach.rule.index, current);
      }
      rules.push(...byRule.values());
    }
    const out: Violation[] = [];
    for (const narrow of rules) {
      const broader = rules.find(
        (other) =>
          other !== narrow &&
          sharePorts(narrow.ports, other.ports) &&
          subtractRanges(narrow.ranges, other.ranges).length === 0 &&
          subtractRanges(other.ranges, narrow.ranges).length > 0,
      );
      if (!broader) continue;
      const where =
        broader.policy === narrow.policy
          ? `rule ${broader.index}`
          : `${broader.policy.metadata.name} rule ${broader.index}`;
      out.push(
        violation(
          narrow.policy,
          `egress rule ${narrow.index} (${narrow.cidrs.join(", ")} on ${describePorts(narrow.ports)}) narrows nothing: ${where} already allows ${broader.cidrs.join(", ")} on ${describePorts(broader.ports)}, and NetworkPolicy rules add up`,
          "take the port out of the broader rule (every service on it pinned), or delete the narrower rule",
        ),
      );
    }
    return out;
  },
};
