import { KIND, KubernetesObject } from "../../contract";
import { GatewayServer, VirtualRoute } from "../../mesh/mesh-object-readers";
import { isGatewayRef, policyAppliesToGateway } from "../../mesh/mesh-queries";
import { MeshTopology } from "../../mesh/mesh-topology";
import { dig, fieldsList, integer, ofKind, specOf, text } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";

const httpRouteIndexes = new WeakMap<MeshTopology, Map<string, VirtualRoute[]>>();

/** The egress gateway's named http routes by name, built once per mesh (a lookup per patch stays O(1)). */
function gatewayHttpRoutesByName(mesh: MeshTopology): Map<string, VirtualRoute[]> {
  const cached = httpRouteIndexes.get(mesh);
  if (cached) return cached;
  const index = new Map<string, VirtualRoute[]>();
  for (const r of mesh.routes) {
    if (r.protocol !== "http" || r.name === undefined || !r.gateways.some((g) => isGatewayRef(mesh, g)))
      continue;
    index.set(r.name, [...(index.get(r.name) ?? []), r]);
  }
  httpRouteIndexes.set(mesh, index);
  return index;
}

const HTTP_APPLY_TO = new Set(["HTTP_FILTER", "HTTP_ROUTE", "VIRTUAL_HOST", "ROUTE_CONFIGURATION"]);
const HCM = "envoy.filters.network.http_connection_manager";

export const envoyFilterHttpPatchApplies: StackRule = {
  name: "envoy-filter-http-patch-applies",
  description:
    "An EnvoyFilter that patches HTTP (an HTTP filter, route, virtual host or route configuration) at the egress " +
    "gateway targets servers where the gateway actually sees HTTP. On a TLS passthrough or TCP route there is no " +
    "HTTP connection manager: a rate limit or header rule placed there never runs, while everyone believes it does.",
  severity: "medium",
  concern: "envoy-filters",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Target an HTTP server (originate mode) by port or named route; for TLS traffic use network filters (e.g. envoy.filters.network.local_ratelimit).",
  kinds: [KIND.EnvoyFilter],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    if (mesh.servers.length === 0) return [];
    const out: Violation[] = [];
    for (const filter of ofKind(objects, KIND.EnvoyFilter)) {
      if (!policyAppliesToGateway(mesh, filter, dig(filter.spec, "workloadSelector", "labels"))) continue;
      fieldsList(specOf(filter).configPatches).forEach((patch, index) => {
        const applyTo = text(patch.applyTo) ?? "";
        const match = patch.match;
        const context = text(dig(match, "context")) ?? "ANY";
        if (context === "SIDECAR_INBOUND" || context === "SIDECAR_OUTBOUND") return;
        const patchesHcm =
          applyTo === "NETWORK_FILTER" &&
          text(dig(match, "listener", "filterChain", "filter", "name")) === HCM;
        if (!HTTP_APPLY_TO.has(applyTo) && !patchesHcm) return;

        let servers: readonly GatewayServer[] = mesh.servers;
        const target: string[] = [];
        const byPort = (port: number | undefined, label: string): void => {
          if (port === undefined) return;
          servers = servers.filter((s) => s.port === port);
          target.push(`${label} ${port}`);
        };
        const byHost = (host: string | undefined, label: string): void => {
          if (!host) return;
          servers = servers.filter((s) => s.hosts.some((h) => h.host === host || h.host === "*"));
          target.push(`${label} ${host}`);
        };
        const listener = dig(match, "listener");
        byPort(integer(dig(listener, "portNumber")), "listener port");
        byPort(integer(/_(\d+)$/.exec(text(dig(listener, "name")) ?? "")?.[1]), "listener port");
        byHost(text(dig(listener, "filterChain", "sni")), "SNI");
        const routeConfig = dig(match, "routeConfiguration");
        byPort(integer(dig(routeConfig, "portNumber")), "route configuration port");
        byPort(
          integer(/^https?\.(\d+)/.exec(text(dig(routeConfig, "name")) ?? "")?.[1]),
          "route configuration port",
        );
        const vhost = text(dig(routeConfig, "vhost", "name"));
        if (vhost) {
          const [host, port] = vhost.split(":");
          byHost(host === "*" ? undefined : host, "virtual host");
          byPort(integer(port), "virtual host port");
        }
        const routeName = text(dig(routeConfig, "vhost", "route", "name"));
        if (routeName) {
          const named = gatewayHttpRoutesByName(mesh).get(routeName) ?? [];
          if (named.length === 0) {
            out.push(
              violation(
                filter,
                `patch ${index} (${applyTo}) targets route "${routeName}", which is not an HTTP route of the egress gateway (TLS and TCP routes have no HTTP route to patch)`,
                "target a named http route of a VirtualService bound to the egress Gateway, or use a network filter for TLS traffic",
              ),
            );
            return;
          }
          const hosts = new Set(named.flatMap((r) => r.hosts));
          servers = servers.filter((s) => s.hosts.some((h) => hosts.has(h.host)));
          target.push(`route ${routeName}`);
        }
        if (!servers.some((s) => s.carriesHttp)) {
          const where = target.length > 0 ? target.join(", ") : "every server of the egress gateway";
          out.push(
            violation(
              filter,
              `patch ${index} (${applyTo}) needs an HTTP connection manager, but ${where} carries only TLS passthrough or TCP traffic, so it never applies`,
              "target an HTTP server of the gateway (originate modes), or use a network filter such as envoy.filters.network.local_ratelimit",
            ),
          );
        }
      });
    }
    return out;
  },
};
