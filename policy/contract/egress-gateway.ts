/**
 * The label every egress gateway pod carries (the `istio/gateway` chart's `labels.istio`), and so the
 * selector of the platform's Gateways, AuthorizationPolicies and NetworkPolicies.
 */
export const GATEWAY_SELECTOR: Readonly<Record<string, string>> = { istio: "egressgateway" };

/** The gateway chart's release name unless configured, and so the name of the gateway's Service. */
export const DEFAULT_GATEWAY_SERVICE = "istio-egressgateway";

/** Istio's mesh root namespace, where mesh-wide policy lives, unless told otherwise. */
export const DEFAULT_ROOT_NAMESPACE = "istio-system";
