import { KIND, KubernetesObject, ObjectKind } from "../contract";
import { externalHosts } from "./mesh-queries";
import { fieldsList, nameOf, namespaceOf, ofKind, specOf, text, texts } from "./object-fields";

/**
 * Egress built with the Kubernetes Gateway API (gateway.networking.k8s.io) that Istio programs: a Gateway of
 * an Istio class is a gateway deployment of its own, and routes attach either to it or, with a ServiceEntry
 * parent, to every sidecar. The guarantees of the Istio API apply: external hosts leave only through the
 * platform's gateway, and sidecars never send them straight out.
 */

/** The Gateway API route kinds, each of which may attach to a Gateway or a ServiceEntry. */
export const ROUTE_KINDS: readonly ObjectKind[] = [
  KIND.HTTPRoute,
  KIND.TLSRoute,
  KIND.TCPRoute,
  KIND.GRPCRoute,
  KIND.UDPRoute,
];

/** Istio programs Gateways of class `istio` (and `istio-*` variants such as istio-waypoint). */
export function isIstioGateway(gateway: KubernetesObject): boolean {
  return /^istio(-|$)/.test(text(specOf(gateway).gatewayClassName) ?? "");
}

/** A backendRef to an external name: Istio's `kind: Hostname` backend. */
export function hostnameBackends(route: KubernetesObject): string[] {
  return fieldsList(specOf(route).rules)
    .flatMap((r) => fieldsList(r.backendRefs))
    .filter((b) => text(b.kind) === "Hostname")
    .map((b) => text(b.name) ?? "");
}

/** A route's parent or backend reference, its defaults filled in. */
export interface ParentRef {
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

/** A parentRef or backendRef with Gateway API's defaults filled in (a parent is a Gateway, a backend a Service). */
export function objectRef(
  ref: Readonly<Record<string, unknown>>,
  defaults: { group: string; kind: string; namespace: string },
): ParentRef {
  return {
    group: text(ref.group) ?? defaults.group,
    kind: text(ref.kind) ?? defaults.kind,
    namespace: text(ref.namespace) ?? defaults.namespace,
    name: text(ref.name) ?? "",
  };
}

/** The API group of the Kubernetes Gateway API. */
export const GATEWAY_API_GROUP = "gateway.networking.k8s.io";

/** What a route attaches to (Gateways unless it says otherwise), in its own namespace unless it names one. */
export function parentRefs(route: KubernetesObject): ParentRef[] {
  const namespace = namespaceOf(route) ?? "default";
  return fieldsList(specOf(route).parentRefs).map((p) =>
    objectRef(p, { group: GATEWAY_API_GROUP, kind: "Gateway", namespace }),
  );
}

/** Every route of the Gateway API kinds. */
export const routes = (objects: readonly KubernetesObject[]): KubernetesObject[] =>
  ROUTE_KINDS.flatMap((k) => ofKind(objects, k));

/** Istio-class Gateways that send traffic to external hosts: egress gateways, whatever they are called. */
export function gatewayApiEgressGateways(objects: readonly KubernetesObject[]): KubernetesObject[] {
  const external = externalHosts(objects);
  const egress = new Set<string>();
  for (const route of routes(objects)) {
    const leaves = hostnameBackends(route).some((h) => h !== "");
    const serves = texts(specOf(route).hostnames).some((h) => external.has(h));
    if (!leaves && !serves) continue;
    for (const p of parentRefs(route)) if (p.kind === "Gateway") egress.add(`${p.namespace}/${p.name}`);
  }
  return ofKind(objects, KIND.KubernetesGateway).filter(
    (g) => isIstioGateway(g) && egress.has(`${namespaceOf(g) ?? "default"}/${nameOf(g)}`),
  );
}
