import { KIND, KubernetesObject } from "../../contract";
import { MeshTopology } from "../../mesh/mesh-topology";
import { StackRule, Violation, violation } from "../../engine/rule";
import { gatewayAuthzRules, matchesEverything } from "../../mesh/gateway-authorization";

export const gatewayAuthzNoAllowAll: StackRule = {
  name: "gateway-authz-no-allow-all",
  description:
    "No ALLOW AuthorizationPolicy at the egress gateway has a rule that matches everything (`rules: [{}]`, or " +
    "only empty sources and operations). One such rule allows every caller to every destination and silently " +
    "cancels all per-tenant allow lists. (`spec: {}` is Istio's allow-nothing and is not flagged.)",
  severity: "critical",
  concern: "authorization",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Replace the empty rule with one rule per tenant and service, naming the source and the destination.",
  kinds: [KIND.AuthorizationPolicy],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    return gatewayAuthzRules(objects, mesh)
      .filter((r) => r.action === "ALLOW" && matchesEverything(r))
      .map((r) =>
        violation(
          r.policy,
          `ALLOW rule ${r.index} matches every request, so any caller may use the egress gateway for any destination`,
          "give the rule from.source.namespaces and the destination (connection.sni + ports, or to.operation.hosts)",
        ),
      );
  },
};
