import { KIND, KubernetesObject } from "../../contract";
import { isGatewayRef, isGatewayServiceHost } from "../../mesh/mesh-queries";
import { MeshTopology } from "../../mesh/mesh-topology";
import { namespaceOf } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";

export const meshRouteHasGatewayRoute: StackRule = {
  name: "mesh-route-has-gateway-route",
  description:
    "Every host that sidecars route to the egress gateway (a VirtualService mesh route whose destination is the " +
    "gateway's Service) also has a gateway-side route (a VirtualService bound to the egress Gateway) that sends " +
    "it on to the external service. Without it the gateway has nowhere to send the traffic.",
  severity: "medium",
  concern: "tls",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Bind the VirtualService to the egress Gateway too (gateways: [mesh, <ns>/<gateway>]) with a route to the host.",
  kinds: [KIND.VirtualService],
  scope: "stack",
  check(_objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const onward = new Set<string>();
    for (const route of mesh.routes) {
      if (!route.gateways.some((g) => isGatewayRef(mesh, g))) continue;
      const leaves = route.destinations.some(
        (d) => d.host !== "" && !isGatewayServiceHost(mesh, d.host, namespaceOf(route.virtualService)),
      );
      if (leaves) route.hosts.forEach((h) => onward.add(h));
    }
    const out: Violation[] = [];
    const reported = new Set<string>();
    for (const route of mesh.routes) {
      if (!route.gateways.includes("mesh")) continue;
      if (
        !route.destinations.some((d) => isGatewayServiceHost(mesh, d.host, namespaceOf(route.virtualService)))
      )
        continue;
      for (const host of route.hosts) {
        const key = `${namespaceOf(route.virtualService)}/${route.virtualService.metadata.name}/${host}`;
        if (onward.has(host) || reported.has(key)) continue;
        reported.add(key);
        out.push(
          violation(
            route.virtualService,
            `routes ${host} from sidecars to the egress gateway, but no route bound to the egress Gateway sends ${host} onward`,
            `add gateways: [mesh, <gateway-namespace>/<gateway>] and a ${route.protocol} route matching that gateway to ${host}`,
          ),
        );
      }
    }
    return out;
  },
};
