import { KIND, KubernetesObject } from "../../contract";
import { isGatewayRef } from "../../mesh/mesh-queries";
import { MeshTopology } from "../../mesh/mesh-topology";
import { StackRule, Violation, violation } from "../../engine/rule";

/** Whether `host` falls under a wildcard host such as `*.wikipedia.org` (or `*`). */
function coveredByWildcard(host: string, pattern: string): boolean {
  if (pattern === "*") return true;
  return pattern.startsWith("*.") && host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
}

export const gatewayRoutesToDeclaredHost: StackRule = {
  name: "gateway-routes-to-declared-host",
  description:
    "A route bound to the egress Gateway sends traffic only to the host it was declared for (one of its " +
    "VirtualService's hosts). Authorization, SNI and logs name that host; a route that forwards it to another " +
    "destination (another site, or a Service inside the cluster) turns an approved path into a different one.",
  severity: "high",
  concern: "gateway-integrity",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: "Route each host's gateway-side traffic to that same host.",
  kinds: [KIND.VirtualService],
  scope: "stack",
  check(_objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const out: Violation[] = [];
    for (const route of mesh.routes) {
      if (!route.gateways.some((g) => isGatewayRef(mesh, g))) continue;
      for (const host of new Set(route.destinations.map((d) => d.host))) {
        // A wildcard route host narrowed to one host under it is a narrowing, not a new destination.
        if (host === "" || route.hosts.some((h) => h === host || coveredByWildcard(host, h))) continue;
        out.push(
          violation(
            route.virtualService,
            `a ${route.protocol} route bound to the egress Gateway sends ${route.hosts.join(", ")} traffic to ${host}, which is not the host it was declared and authorized for`,
            `route the gateway-side traffic to ${route.hosts.join(" or ")} itself`,
          ),
        );
      }
    }
    return out;
  },
};
