import { KIND, KubernetesObject } from "../../contract";
import { GatewayServer, VirtualRoute } from "../../mesh/mesh-object-readers";
import { isGatewayRef, policyAppliesToGateway } from "../../mesh/mesh-queries";
import { MeshTopology } from "../../mesh/mesh-topology";
import { dig, fieldsList, integer, list, ofKind, specOf, stringMap, text } from "../../mesh/object-fields";
import { ResourceRule, StackRule, Violation, violation } from "../../engine/rule";

export const envoyFilterHasWorkloadSelector: ResourceRule = {
  name: "envoy-filter-has-workload-selector",
  description:
    "Every EnvoyFilter names the workloads it patches (`workloadSelector.labels`, or `targetRefs`). Without one " +
    "it patches every proxy of its namespace, and in the root namespace every proxy of the mesh.",
  severity: "high",
  concern: "envoy-filters",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: "Add workloadSelector.labels (for the egress gateway: istio: egressgateway).",
  kinds: [KIND.EnvoyFilter],
  scope: "resource",
  check(filter: KubernetesObject): Violation[] {
    const labels = stringMap(dig(filter.spec, "workloadSelector", "labels"));
    if (Object.keys(labels).length > 0 || list(specOf(filter).targetRefs).length > 0) return [];
    return [
      violation(
        filter,
        "has no workloadSelector, so it patches every proxy in its namespace (every proxy of the mesh in the root namespace)",
        "set spec.workloadSelector.labels to the workloads it is meant for (istio: egressgateway for the gateway)",
      ),
    ];
  },
};

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

const DESTRUCTIVE_OPERATIONS = new Set(["REMOVE", "REPLACE"]);

export const envoyFilterNoRemovalAtGateway: StackRule = {
  name: "envoy-filter-no-removal-at-gateway",
  description:
    "No EnvoyFilter at the egress gateway removes or replaces parts of its configuration (patch operation " +
    "REMOVE or REPLACE). Istio enforces AuthorizationPolicy and writes access logs through the gateway's own " +
    "filters; a patch that removes or swaps them (the RBAC filter, the connection manager) silently turns " +
    "authorization or logging off.",
  severity: "critical",
  concern: "envoy-filters",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Add behaviour with INSERT_BEFORE/INSERT_AFTER/ADD/MERGE patches; never remove or replace Istio's filters.",
  kinds: [KIND.EnvoyFilter],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const out: Violation[] = [];
    for (const filter of ofKind(objects, KIND.EnvoyFilter)) {
      if (!policyAppliesToGateway(mesh, filter, dig(filter.spec, "workloadSelector", "labels"))) continue;
      fieldsList(specOf(filter).configPatches).forEach((patch, index) => {
        const context = text(dig(patch.match, "context")) ?? "ANY";
        if (context === "SIDECAR_INBOUND" || context === "SIDECAR_OUTBOUND") return;
        const operation = text(dig(patch.patch, "operation")) ?? "";
        if (!DESTRUCTIVE_OPERATIONS.has(operation)) return;
        const target =
          text(dig(patch.match, "listener", "filterChain", "filter", "subFilter", "name")) ??
          text(dig(patch.match, "listener", "filterChain", "filter", "name")) ??
          text(patch.applyTo) ??
          "configuration";
        out.push(
          violation(
            filter,
            `patch ${index} ${operation}s ${target} at the egress gateway, which can switch off its authorization or access logging`,
            "express the change as an added filter (INSERT_BEFORE/INSERT_AFTER) or a MERGE, or drop the patch",
          ),
        );
      });
    }
    return out;
  },
};

export const envoyFilterRules = [
  envoyFilterHasWorkloadSelector,
  envoyFilterHttpPatchApplies,
  envoyFilterNoRemovalAtGateway,
];
