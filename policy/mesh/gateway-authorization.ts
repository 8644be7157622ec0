import { KIND, KubernetesObject } from "../contract";
import { policyAppliesToGateway } from "./mesh-queries";
import { MeshTopology } from "./mesh-topology";
import { Fields, dig, fields, fieldsList, ofKind, specOf, text, texts } from "./object-fields";

/** One rule of an AuthorizationPolicy that applies to the egress gateway. */
export interface GatewayAuthzRule {
  readonly policy: KubernetesObject;
  readonly action: string;
  readonly index: number;
  readonly from: readonly Fields[];
  readonly operations: readonly Fields[];
  readonly when: readonly Fields[];
}

/** Every rule of the AuthorizationPolicies that apply to the egress gateway, with its policy and action. */
export function gatewayAuthzRules(
  objects: readonly KubernetesObject[],
  mesh: MeshTopology,
): GatewayAuthzRule[] {
  return ofKind(objects, KIND.AuthorizationPolicy)
    .filter((p) => policyAppliesToGateway(mesh, p, dig(p.spec, "selector")))
    .flatMap((policy) => {
      const action = text(specOf(policy).action) ?? "ALLOW";
      return fieldsList(specOf(policy).rules).map((rule, index) => ({
        policy,
        action,
        index,
        from: fieldsList(rule.from),
        operations: fieldsList(rule.to).map((t) => fields(t.operation)),
        when: fieldsList(rule.when),
      }));
    });
}

/** Whether a source or operation sets any field: an empty one constrains nothing. */
export const nonEmpty = (f: Fields): boolean =>
  Object.values(f).some((v) => (Array.isArray(v) ? v.length > 0 : v !== undefined));

/** A rule with no effective condition matches every request: `{}`, or only empty sources/operations. */
export function matchesEverything(rule: GatewayAuthzRule): boolean {
  const sources = rule.from.map((f) => fields(f.source));
  return !sources.some(nonEmpty) && !rule.operations.some(nonEmpty) && rule.when.length === 0;
}

/** `notPrincipals: ["*"]`: connections that carry no mesh identity at all (plain passthrough's admission). */
export function admitsIdentityLess(from: Fields): boolean {
  return texts(dig(from, "source", "notPrincipals")).includes("*");
}
// `host:*` is the any-port form HTTP rules list beside the bare host.
/** A host without its `:port` (or `:*`), as the gateway's servers name it. */
export const stripPort = (host: string): string => host.replace(/:(\d+|\*)$/, "");

/** The SNI values a rule's `connection.sni` conditions admit. */
export function sniValues(rule: GatewayAuthzRule): string[] {
  return rule.when.filter((w) => text(w.key) === "connection.sni").flatMap((w) => texts(w.values));
}
