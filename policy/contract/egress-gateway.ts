/**
 * The label every egress gateway pod carries (the `istio/gateway` chart's `labels.istio`), and so the
 * selector of the platform's Gateways, AuthorizationPolicies and NetworkPolicies.
 */
export const GATEWAY_SELECTOR: Readonly<Record<string, string>> = { istio: "egressgateway" };

/** The gateway chart's release name unless configured, and so the name of the gateway's Service. */
export const DEFAULT_GATEWAY_SERVICE = "istio-egressgateway";

/** Istio's mesh root namespace, where mesh-wide policy lives, unless told otherwise. */
export const DEFAULT_ROOT_NAMESPACE = "istio-system";

/**
 * A VirtualService's `gateways` entry as Istio resolves it (pilot/pkg/model `resolveGatewayName`), to "ns/name":
 * `ns/name` as is, `./name` and a short name in the VirtualService's namespace, and the legacy dotted forms by
 * their second label (`name.ns.svc.cluster.local` and `name.ns` are both `ns/name`). "mesh" stays "mesh".
 */
export function resolveGatewayName(ref: string, namespace: string): string {
  if (ref === "mesh") return ref;
  const slash = ref.indexOf("/");
  if (slash >= 0) return ref.slice(0, slash) === "." ? `${namespace}/${ref.slice(slash + 1)}` : ref;
  const dot = ref.indexOf(".");
  if (dot < 0) return `${namespace}/${ref}`;
  const rest = ref.slice(dot + 1);
  const next = rest.indexOf(".");
  return `${next < 0 ? rest : rest.slice(0, next)}/${ref.slice(0, dot)}`;
}

/** The fewest gateway replicas the HPA may run: all egress goes through the gateway, so it must not go down. */
export const MIN_GATEWAY_REPLICAS = 3;
