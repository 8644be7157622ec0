import { KIND, KubernetesObject } from "../../contract";
import { MeshTopology } from "../../mesh/mesh-topology";
import { dig, fieldsList, nameOf, namespaceOf, ofKind, specOf, text } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";
import { inTenants, judgedTenants } from "../../mesh/tenant-scope";
import {
  ParentRef,
  objectRef,
  parentRefs,
  GATEWAY_API_GROUP,
  ROUTE_KINDS,
  gatewayApiEgressGateways,
  hostnameBackends,
  routes,
} from "../../mesh/gateway-api-gateways";

/** Whether a DestinationRule originates TLS (SIMPLE or MUTUAL) anywhere in its traffic policy. */
function originatesTls(rule: KubernetesObject): boolean {
  const spec = specOf(rule);
  const policies = [spec.trafficPolicy, ...fieldsList(spec.subsets).map((s) => s.trafficPolicy)];
  return policies.some((p) =>
    [
      dig(p, "tls", "mode"),
      ...fieldsList(dig(p, "portLevelSettings")).map((l) => dig(l, "tls", "mode")),
    ].some((m) => m === "SIMPLE" || m === "MUTUAL"),
  );
}

function backendRefs(route: KubernetesObject): ParentRef[] {
  const namespace = namespaceOf(route) ?? "default";
  return fieldsList(specOf(route).rules)
    .flatMap((r) => fieldsList(r.backendRefs))
    .map((b) => objectRef(b, { group: "", kind: "Service", namespace }));
}

/** The backendRefs of a route's requestMirror filters, on its rules and on their backendRefs: each gets a copy of every request. */
function mirrorRefs(route: KubernetesObject): ParentRef[] {
  const namespace = namespaceOf(route) ?? "default";
  return fieldsList(specOf(route).rules)
    .flatMap((r) => [r, ...fieldsList(r.backendRefs)])
    .flatMap((holder) => fieldsList(holder.filters))
    .map((f) => dig(f, "requestMirror", "backendRef"))
    .filter((b) => b !== undefined)
    .map((b) => objectRef(b as Readonly<Record<string, unknown>>, { group: "", kind: "Service", namespace }));
}

const describeObjectRef = (ref: ParentRef): string =>
  `${ref.kind}${ref.group ? ` (${ref.group})` : ""} ${ref.namespace}/${ref.name}`;

/**
 * What a tenant's Gateway API object does that only the platform may: a Gateway with `addresses` (Istio then
 * binds an existing deployment, the egress gateway's among them, instead of deploying one), a route attached to
 * a Gateway in a platform namespace or to anything but a Gateway or a Service of its own, a backend other than a
 * Service of its own namespace (a ServiceEntry, a Hostname, another namespace's Service: the egress gateway's).
 */
function tenantGatewayApiGaps(object: KubernetesObject, platform: ReadonlySet<string>): string[] {
  const namespace = namespaceOf(object) ?? "default";
  if (object.kind === "Gateway") {
    const addresses = fieldsList(specOf(object).addresses).map((a) => text(a.value) ?? "");
    return addresses.length === 0
      ? []
      : [
          `sets addresses (${addresses.join(", ")}), so Istio binds an existing gateway deployment (the egress gateway's, when it names its Service) instead of deploying the tenant's own`,
        ];
  }
  const gaps: string[] = [];
  for (const parent of parentRefs(object)) {
    const gateway = parent.group === GATEWAY_API_GROUP && parent.kind === "Gateway";
    const ownService = parent.group === "" && parent.kind === "Service" && parent.namespace === namespace;
    if ((gateway && platform.has(parent.namespace)) || (!gateway && !ownService)) {
      gaps.push(
        `attaches to ${describeObjectRef(parent)}, which a tenant route may not (only its own Gateways and Services)`,
      );
    }
  }
  for (const backend of backendRefs(object)) {
    if (backend.group === "" && backend.kind === "Service" && backend.namespace === namespace) continue;
    gaps.push(
      `sends to ${describeObjectRef(backend)}: a tenant route sends only to Services of its own namespace (an outside host or the egress gateway comes from the registry)`,
    );
  }
  for (const mirror of mirrorRefs(object)) {
    if (mirror.group === "" && mirror.kind === "Service" && mirror.namespace === namespace) continue;
    gaps.push(
      `mirrors requests (requestMirror) to ${describeObjectRef(mirror)}: a tenant route mirrors only to Services of its own namespace (an outside host or the egress gateway comes from the registry)`,
    );
  }
  return gaps;
}

export const gatewayApiEgressInPlatform: StackRule = {
  name: "gateway-api-egress-in-platform",
  description:
    "Egress through the Kubernetes Gateway API keeps the egress guarantees: a Gateway of an Istio class that " +
    "forwards to external hosts lives in the platform namespace and accepts routes only from it " +
    "(`allowedRoutes.namespaces.from: Same`), and no route attached to a ServiceEntry (applied by every sidecar) " +
    "sends an external host straight to a `Hostname` backend around the gateway. In a tenant namespace a Gateway " +
    "sets no `addresses` (which would bind the egress gateway's deployment), and a route (HTTPRoute, TLSRoute, " +
    "TCPRoute, GRPCRoute, UDPRoute) attaches only to the tenant's own Gateways or Services and sends (and mirrors, " +
    "`requestMirror` on a rule or a backendRef) only to Services of its own namespace: never through the egress " +
    "gateway, never to an outside host.",
  severity: "high",
  concern: "gateway-integrity",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Run the egress Gateway in the platform namespace with allowedRoutes from Same, and point sidecar routes at its Service.",
  kinds: [KIND.KubernetesGateway, ...ROUTE_KINDS],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const out: Violation[] = [];
    const platform = mesh.gatewayNamespace;
    for (const gateway of gatewayApiEgressGateways(objects)) {
      const ns = namespaceOf(gateway) ?? "default";
      if (platform !== undefined && ns !== platform) {
        out.push(
          violation(
            gateway,
            `is an egress gateway (it forwards to external hosts) in namespace ${ns}, outside the platform namespace ${platform}`,
            `run it in ${platform} and delete this one`,
          ),
        );
      }
      for (const listener of fieldsList(specOf(gateway).listeners)) {
        const from = text(dig(listener, "allowedRoutes", "namespaces", "from")) ?? "Same";
        if (from !== "Same") {
          out.push(
            violation(
              gateway,
              `listener ${text(listener.name) ?? ""} accepts routes from namespaces "${from}", so another namespace can route through the egress gateway`,
              "set allowedRoutes.namespaces.from to Same",
            ),
          );
        }
      }
    }
    // HTTP forwarded from the egress Gateway to an external Hostname leaves in plaintext unless a
    // DestinationRule originates TLS for it, as with the Istio API's gateway routes.
    const egressRefs = new Set(
      gatewayApiEgressGateways(objects).map((g) => `${namespaceOf(g) ?? "default"}/${nameOf(g)}`),
    );
    const originated = new Set(
      ofKind(objects, KIND.DestinationRule)
        .filter((r) => originatesTls(r))
        .map((r) => text(specOf(r).host) ?? ""),
    );
    for (const route of ofKind(objects, KIND.HTTPRoute)) {
      if (!parentRefs(route).some((p) => p.kind === "Gateway" && egressRefs.has(`${p.namespace}/${p.name}`)))
        continue;
      for (const host of new Set(hostnameBackends(route))) {
        if (host === "" || originated.has(host)) continue;
        out.push(
          violation(
            route,
            `forwards HTTP from the egress gateway to external host ${host}, and no DestinationRule originates TLS for it, so it leaves the cluster in plaintext`,
            `add a DestinationRule for ${host} next to the egress gateway with tls.mode SIMPLE (or MUTUAL)`,
          ),
        );
      }
    }
    const platformNamespaces = new Set(
      [mesh.gatewayNamespace, mesh.rootNamespace].filter((n): n is string => !!n),
    );
    const tenantObjects = inTenants(
      [...ofKind(objects, KIND.KubernetesGateway), ...routes(objects)],
      judgedTenants(objects, mesh),
    );
    for (const object of tenantObjects) {
      for (const gap of tenantGatewayApiGaps(object, platformNamespaces)) {
        out.push(
          violation(
            object,
            gap,
            "keep tenant Gateway API objects to the tenant's own gateway and Services; ask the platform team to register outside hosts",
          ),
        );
      }
    }
    for (const route of routes(objects)) {
      if (tenantObjects.includes(route)) continue;
      const onSidecars = parentRefs(route).some((p) => p.kind === "ServiceEntry" || p.kind === "Service");
      if (!onSidecars) continue;
      for (const host of new Set(hostnameBackends(route))) {
        out.push(
          violation(
            route,
            `attaches to a ${parentRefs(route)
              .map((p) => p.kind)
              .join(
                "/",
              )} (every sidecar applies it) and sends traffic straight to external host ${host}, around the egress gateway`,
            "send it to the egress gateway's Service instead, and forward to the Hostname only from a route attached to the egress Gateway",
          ),
        );
      }
    }
    return out;
  },
};
