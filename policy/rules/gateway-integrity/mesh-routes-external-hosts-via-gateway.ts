import { INTERNAL_REQUEST_HEADERS, KIND, KubernetesObject } from "../../contract";
import { isBreakGlassObject } from "../break-glass/break-glass-expiry-valid";
import { externalHosts, isGatewayRef, isGatewayServiceHost } from "../../mesh/mesh-queries";
import { MeshTopology } from "../../mesh/mesh-topology";
import { dig, fieldsList, namespaceOf, ofKind, specOf, text, texts } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";

/** Whether `host` falls under a wildcard host such as `*.wikipedia.org` (or `*`). */
function coveredByWildcard(host: string, pattern: string): boolean {
  if (pattern === "*") return true;
  return pattern.startsWith("*.") && host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
}

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

export const gatewayRoutesStripInternalHeaders: StackRule = {
  name: "gateway-routes-strip-internal-headers",
  description:
    "Every HTTP route bound to the egress Gateway removes the request headers that carry internal details " +
    `before the request leaves the cluster: ${INTERNAL_REQUEST_HEADERS.join(", ")} (caller identities, the ` +
    "gateway pod's name, namespace and IP, the tenant pod's IP, retry counts).",
  severity: "medium",
  concern: "gateway-integrity",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: `List ${INTERNAL_REQUEST_HEADERS.join(", ")} in the gateway route's headers.request.remove.`,
  kinds: [KIND.VirtualService],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const out: Violation[] = [];
    for (const vs of ofKind(objects, KIND.VirtualService)) {
      const boundToAll = texts(specOf(vs).gateways);
      fieldsList(specOf(vs).http).forEach((route, index) => {
        const matched = fieldsList(route.match).flatMap((m) => texts(m.gateways));
        const gateways = matched.length > 0 ? matched : boundToAll;
        if (!gateways.some((g) => isGatewayRef(mesh, g))) return;
        const removed = new Set(
          texts(dig(route, "headers", "request", "remove")).map((h) => h.toLowerCase()),
        );
        const kept = INTERNAL_REQUEST_HEADERS.filter((h) => !removed.has(h));
        if (kept.length === 0) return;
        out.push(
          violation(
            vs,
            `http route ${text(route.name) ?? index} at the egress gateway sends ${kept.join(", ")} to the external host, leaking internal details`,
            `add ${kept.join(", ")} to the route's headers.request.remove`,
          ),
        );
      });
    }
    return out;
  },
};
