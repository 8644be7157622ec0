import { KIND, KubernetesObject } from "../../contract";
import { isGatewayRef } from "../../mesh/mesh-queries";
import { MeshTopology } from "../../mesh/mesh-topology";
import { ofKind, specOf, texts } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";
import { gatewayAuthzRules, stripPort, sniValues } from "../../mesh/gateway-authorization";

export const gatewayAuthzHostsRegistered: StackRule = {
  name: "gateway-authz-hosts-registered",
  description:
    "Every host an egress gateway AuthorizationPolicy names (to.operation.hosts or a connection.sni value) has " +
    "a ServiceEntry (an SNI may also be a tenant's alias of a registered host: a host of a VirtualService bound to " +
    "the egress Gateway that routes the registered one). A rule for an unregistered host authorizes nothing that can be routed, and usually means " +
    "a typo or a registry entry deleted while its grant stayed behind.",
  severity: "medium",
  concern: "authorization",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: "Register the host with a ServiceEntry, or remove the rule.",
  kinds: [KIND.AuthorizationPolicy],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const registered = new Set(ofKind(objects, KIND.ServiceEntry).flatMap((e) => texts(specOf(e).hosts)));
    // A tenant's own SNI for a registered host (its own gateway chain): a host of a VirtualService bound to the
    // egress Gateway that also routes a registered host.
    const sniAliases = new Set(
      mesh.routes
        .filter(
          (r) => r.gateways.some((g) => isGatewayRef(mesh, g)) && r.hosts.some((h) => registered.has(h)),
        )
        .flatMap((r) => r.hosts),
    );
    const out: Violation[] = [];
    for (const rule of gatewayAuthzRules(objects, mesh)) {
      const httpHosts = rule.operations.flatMap((op) => texts(op.hosts)).map(stripPort);
      const snis = sniValues(rule).filter((sni) => !sniAliases.has(sni));
      for (const host of new Set([...httpHosts, ...snis])) {
        if (!registered.has(host)) {
          out.push(
            violation(
              rule.policy,
              `rule ${rule.index} names host ${host}, which no ServiceEntry registers`,
              `add a ServiceEntry for ${host} (or fix the host name), or remove the rule`,
            ),
          );
        }
      }
    }
    return out;
  },
};
