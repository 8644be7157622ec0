import type { EgressConfig } from "../stacks/model/egress-config";

/**
 * The label that enrols a namespace in sidecar injection. `istio-injection: enabled` is honoured only by the
 * default revision's webhook and overrides `istio.io/rev`, so a revisioned control plane gets the rev label alone.
 */
export function injectionLabels(config: EgressConfig): Record<string, string> {
  const revision = config.controlPlane.revision;
  return revision ? { "istio.io/rev": revision } : { "istio-injection": "enabled" };
}

/** Labels that pick istiod's pods: its revision's only, when the control plane is revisioned. */
export function istiodPodLabels(config: EgressConfig): Record<string, string> {
  const revision = config.controlPlane.revision;
  return revision ? { app: "istiod", "istio.io/rev": revision } : { app: "istiod" };
}
