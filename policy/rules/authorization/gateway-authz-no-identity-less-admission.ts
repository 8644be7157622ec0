import { KIND, KubernetesObject } from "../../contract";
import { MeshTopology } from "../../mesh/mesh-topology";
import { StackRule, Violation, violation } from "../../engine/rule";
import { gatewayAuthzRules, admitsIdentityLess } from "../../mesh/gateway-authorization";

export const gatewayAuthzNoIdentityLessAdmission: StackRule = {
  name: "gateway-authz-no-identity-less-admission",
  description:
    "No ALLOW rule at the egress gateway admits connections without a mesh identity (`from.source.notPrincipals: " +
    '["*"]`, plain passthrough\'s admission). Every tenant the gateway NetworkPolicy lets in gets through: a pod ' +
    "that bypasses its sidecar, or a tenant's own ServiceEntry + VirtualService to the gateway (auto-mTLS sends " +
    "plaintext there), so the destination cannot be scoped to tenants. Advisory in dev, where plain passthrough " +
    "is tolerated.",
  severity: "high",
  concern: "authorization",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Use mode passthrough-mtls: the gateway then sees the caller's identity and authorizes by source namespace.",
  kinds: [KIND.AuthorizationPolicy],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    return gatewayAuthzRules(objects, mesh)
      .filter((r) => r.action === "ALLOW" && r.from.some(admitsIdentityLess))
      .map((r) =>
        violation(
          r.policy,
          `ALLOW rule ${r.index} admits connections without a mesh identity (notPrincipals ["*"]), so every tenant the gateway's NetworkPolicy lets in may use it, whatever its allow list`,
          "route the service in passthrough-mtls mode and allow it per tenant with from.source.namespaces",
        ),
      );
  },
};
