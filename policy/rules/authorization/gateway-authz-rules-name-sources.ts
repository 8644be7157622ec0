import { KIND, KubernetesObject } from "../../contract";
import { MeshTopology } from "../../mesh/mesh-topology";
import { Fields, dig, texts } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";
import { gatewayAuthzRules, matchesEverything, admitsIdentityLess } from "../../mesh/gateway-authorization";

const ANYONE = new Set(["*", "0.0.0.0/0", "::/0"]);
// notPrincipals is absent on purpose: excluding callers names nobody who may call.
const SOURCE_FIELDS = ["namespaces", "principals", "ipBlocks", "remoteIpBlocks", "requestPrincipals"];

export const gatewayAuthzRulesNameSources: StackRule = {
  name: "gateway-authz-rules-name-sources",
  description:
    "Every ALLOW rule at the egress gateway names its sources: each `from` entry sets namespaces, principals " +
    "or ipBlocks, and not as `*`. Excluding callers (notNamespaces, notPrincipals) names nobody. A rule without " +
    "sources lets any workload of the mesh use the destination it names. (A from entry admitting identity-less " +
    "connections is judged by gateway-authz-no-identity-less-admission.)",
  severity: "high",
  concern: "authorization",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: "Add from.source.namespaces (or principals) for the tenants allowed to use the destination.",
  kinds: [KIND.AuthorizationPolicy],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const out: Violation[] = [];
    for (const rule of gatewayAuthzRules(objects, mesh)) {
      if (rule.action !== "ALLOW" || matchesEverything(rule)) continue;
      // A source of "*" (any namespace, principal or address) names nobody.
      const names = (from: Fields): boolean =>
        admitsIdentityLess(from) ||
        SOURCE_FIELDS.some((f) => {
          const values = texts(dig(from, "source", f));
          return values.length > 0 && !values.some((v) => ANYONE.has(v));
        });
      if (rule.from.length === 0 || !rule.from.every(names)) {
        out.push(
          violation(
            rule.policy,
            `ALLOW rule ${rule.index} does not name its sources, so any workload may use what it allows`,
            "set from[].source.namespaces (or principals) on every from entry of the rule",
          ),
        );
      }
    }
    return out;
  },
};
