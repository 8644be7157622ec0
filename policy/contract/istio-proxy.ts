/**
 * What Istio's sidecar injector (1.30.3, `manifests/charts/istio-control/istio-discovery/files/injection-template.yaml`
 * and `pkg/kube/inject`) puts into a pod, so the guardrails and the pack can tell the injected parts from a
 * tenant's imitation of them.
 */

/** The proxy's UID and GID: Istio's iptables rules skip traffic from them, so no app may run as either. */
export const PROXY_UID = 1337;
export const PROXY_GID = 1337;

/** The injected sidecar (a container, or a native sidecar: an init container with restartPolicy Always). */
export const PROXY_CONTAINER = "istio-proxy";
/** The injected init container that installs the iptables rules when the mesh runs without Istio CNI. */
export const INIT_CONTAINER = "istio-init";
/** The injected init container that checks Istio CNI's rules are in place (CNI only); it runs as the proxy. */
export const VALIDATION_CONTAINER = "istio-validation";
/** Every name the injector uses: a tenant container of one of these names overrides the injected one. */
export const INJECTED_CONTAINER_NAMES: readonly string[] = [
  PROXY_CONTAINER,
  INIT_CONTAINER,
  VALIDATION_CONTAINER,
];
/** The injected containers that run as the proxy's UID/GID. */
export const PROXY_IDENTITY_CONTAINERS: readonly string[] = [PROXY_CONTAINER, VALIDATION_CONTAINER];
/** The capabilities only the injected istio-init holds: with them, a container can rewrite the pod's iptables. */
export const INIT_CAPABILITIES: readonly string[] = ["NET_ADMIN", "NET_RAW"];

/** Label (preferred) and annotation that ask the injector for a sidecar or for none. */
export const INJECTION_KEY = "sidecar.istio.io/inject";
/**
 * The values Istio reads as "inject". 1.30.3's `injectRequired` takes exactly "true" and "false" and falls
 * back to the namespace default for anything else; older releases read y/yes/on/enabled too. Admitting only
 * "true" is on in every release; absent means the namespace's `istio-injection`/`istio.io/rev` decides.
 */
export const INJECTION_ON_VALUES: readonly string[] = ["true"];
/** Namespace label that turns injection on for the default revision. */
export const NAMESPACE_INJECTION_LABEL = "istio-injection";
export const NAMESPACE_INJECTION_ON = "enabled";
/** Label or annotation naming the control-plane revision that injects the pod. */
export const REVISION_KEY = "istio.io/rev";
/** The revision name the injector records on pods of an unrevisioned control plane. */
export const DEFAULT_REVISION = "default";
/** The injector's record of what it injected: present, it treats the pod as injected already and skips it. */
export const INJECTION_STATUS_ANNOTATION = "sidecar.istio.io/status";

/** With Istio CNI, the injector writes this on every pod; "*" captures all outbound traffic (the safe value). */
export const INCLUDE_OUTBOUND_RANGES_ANNOTATION = "traffic.sidecar.istio.io/includeOutboundIPRanges";
export const CAPTURE_ALL_OUTBOUND = "*";

/** The proxy image of a control plane installed from Istio's charts at `version` (hub docker.io/istio). */
export function defaultProxyImage(version: string): string {
  return `docker.io/istio/proxyv2:${version}`;
}

/**
 * How the injector (1.30.3 injection-template.yaml) starts its containers on a pod: the CNI plugin
 * (cni/pkg/plugin) reads the istio-proxy container to decide the capture (its runAsUser/runAsGroup are the
 * UID/GID it exempts, `proxy <type>` other than sidecar and env DISABLE_ENVOY skip the pod, ISTIO_DUAL_STACK
 * false leaves IPv6 alone), and a pod holding an istio-init container is skipped altogether. A tenant can shape
 * these fields on a bare Pod (a container of the injector's name is merged, not replaced), so on tenant Pods the
 * injected containers must look exactly like this: no command, these first args, UID and GID 1337.
 */
export const INJECTED_CONTAINER_ARGS: Readonly<Record<string, readonly string[]>> = {
  [PROXY_CONTAINER]: ["proxy", "sidecar"],
  [VALIDATION_CONTAINER]: ["istio-iptables"],
  [INIT_CONTAINER]: ["istio-iptables"],
};
/** Env the CNI plugin reads on istio-proxy, with the values that narrow or skip the capture (Go's ParseBool). */
export const PROXY_ENV_UNCAPTURING: Readonly<Record<string, readonly string[]>> = {
  DISABLE_ENVOY: ["1", "t", "T", "TRUE", "true", "True"],
  ISTIO_DUAL_STACK: ["0", "f", "F", "FALSE", "false", "False"],
};
