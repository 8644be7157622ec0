import { KIND, KubernetesObject } from "../../contract";
import { isBreakGlassObject } from "../../mesh/break-glass-objects";
import { externalHosts, isGatewayRef, isGatewayServiceHost } from "../../mesh/mesh-queries";
import { MeshTopology } from "../../mesh/mesh-topology";
import { namespaceOf } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";

/** Gateway integrity, routing: external hosts go through the gateway, and the gateway sends each only to itself. */

export const meshRoutesExternalHostsViaGateway: StackRule = {
  name: "mesh-routes-external-hosts-via-gateway",
  description:
    "No VirtualService sends sidecar or other-gateway traffic straight to an external host: a route that applies to the " +
    "mesh (sidecars) or to a gateway other than the egress gateway (an ingress gateway shifting a share of traffic " +
    "outside) and whose destination is a MESH_EXTERNAL host bypasses the egress gateway, its authorization and its " +
    "access log. Sidecars and other gateways route external hosts to the egress gateway's Service.",
  severity: "high",
  concern: "gateway-integrity",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Route the host to the egress gateway's Service from the mesh; only routes bound to the egress Gateway go to the host.",
  kinds: [KIND.VirtualService],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const external = externalHosts(objects);
    const out: Violation[] = [];
    for (const route of mesh.routes) {
      // A break-glass exception is judged by its own rules: labelled, annotated, and expiring.
      if (isBreakGlassObject(route.virtualService)) continue;
      // Only routes bound to the egress gateway may go to the host itself.
      const bypassing = route.gateways.filter((g) => !isGatewayRef(mesh, g));
      if (bypassing.length === 0) continue;
      const direct = route.destinations
        .map((d) => d.host)
        .filter((h) => external.has(h) && !isGatewayServiceHost(mesh, h, namespaceOf(route.virtualService)));
      const applies = bypassing
        .map((g) => (g === "mesh" ? 'sidecars (gateway "mesh")' : `gateway ${g}`))
        .join(" and ");
      for (const host of new Set(direct)) {
        out.push(
          violation(
            route.virtualService,
            `a ${route.protocol} route for ${applies} sends traffic straight to external host ${host}, around the egress gateway`,
            "send the route to the egress gateway's Service (with its subset), and bind only the onward route to the egress Gateway",
          ),
        );
      }
    }
    return out;
  },
};
