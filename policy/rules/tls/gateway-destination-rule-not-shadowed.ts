import { KIND, KubernetesObject } from "../../contract";
import { isGatewayServiceHost } from "../../mesh/mesh-queries";
import { MeshTopology } from "../../mesh/mesh-topology";
import { nameOf, namespaceOf, ofKind, specOf, text } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";

export const gatewayDestinationRuleNotShadowed: StackRule = {
  name: "gateway-destination-rule-not-shadowed",
  description:
    "Only the platform namespace holds DestinationRules for the egress gateway's Service. A DestinationRule " +
    "for that host in a tenant namespace shadows the platform's for the tenant's sidecars: it can drop the " +
    "ISTIO_MUTUAL and SNI that carry the tenant's identity to the gateway, or point at subsets of its own.",
  severity: "high",
  concern: "tls",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: "Delete the namespace's DestinationRule for the gateway's Service; the platform's applies.",
  kinds: [KIND.DestinationRule],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const ns = mesh.gatewayNamespace;
    if (ns === undefined) return [];
    const rules = ofKind(objects, KIND.DestinationRule);
    const gatewayHost = (r: KubernetesObject): boolean =>
      isGatewayServiceHost(mesh, text(specOf(r).host) ?? "", namespaceOf(r));
    // Only claim a platform DestinationRule when the input holds one.
    const platformRule = rules.find((r) => namespaceOf(r) === ns && gatewayHost(r));
    return rules
      .filter((r) => namespaceOf(r) !== ns && gatewayHost(r))
      .map((r) =>
        violation(
          r,
          `configures traffic to the egress gateway's Service ${text(specOf(r).host) ?? ""} from namespace ${namespaceOf(r) ?? "default"}, ` +
            (platformRule
              ? `shadowing the platform's DestinationRule ${ns}/${nameOf(platformRule)}`
              : `where only the platform namespace ${ns} may configure it`),
          platformRule
            ? `delete it; ${ns}/${nameOf(platformRule)} already sets the subsets and their mTLS`
            : `move it to ${ns} (its subsets with tls.mode ISTIO_MUTUAL and the host as sni) and delete this one`,
        ),
      );
  },
};
