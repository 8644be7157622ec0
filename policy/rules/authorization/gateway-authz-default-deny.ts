import { CHART_KINDS, KIND, KubernetesObject } from "../../contract";
import { policyAppliesToGateway } from "../../mesh/mesh-queries";
import { MeshTopology } from "../../mesh/mesh-topology";
import { dig, ofKind, specOf, text } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";

export const gatewayAuthzDefaultDeny: StackRule = {
  name: "gateway-authz-default-deny",
  description:
    "At least one ALLOW AuthorizationPolicy applies to the egress gateway. Istio allows every request to a " +
    "workload that no ALLOW policy selects: deleting the tenants' policies, or pointing their selectors " +
    "elsewhere, would let any workload of the mesh use the gateway for every registered destination.",
  severity: "critical",
  concern: "authorization",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: "Keep the per-tenant ALLOW policies in the gateway namespace, selecting istio: egressgateway.",
  kinds: [KIND.AuthorizationPolicy, KIND.Gateway, KIND.Namespace, ...CHART_KINDS],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const ns = mesh.gatewayNamespace;
    if (ns === undefined) return [];
    const allows = ofKind(objects, KIND.AuthorizationPolicy).some(
      (p) =>
        (text(specOf(p).action) ?? "ALLOW") === "ALLOW" &&
        policyAppliesToGateway(mesh, p, dig(p.spec, "selector")),
    );
    if (allows) return [];
    return [
      violation(
        { kind: "Namespace", name: ns },
        "no ALLOW AuthorizationPolicy applies to the egress gateway, so Istio lets every workload use it for every destination",
        "add the per-tenant ALLOW policies in the gateway namespace with selector.matchLabels istio: egressgateway",
      ),
    ];
  },
};
