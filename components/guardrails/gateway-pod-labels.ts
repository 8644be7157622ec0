import { INJECTION_KEY, REVISION_KEY } from "../../policy/contract";
import type { EgressConfig } from "../../stacks/egress-config";
import { gatewayChartValues } from "../egress-gateway";

/** Marks a label whose value a selector cannot be told apart from: any value counts as the gateway's. */
export const ANY_VALUE = "*";

/**
 * Every label an egress gateway pod carries, as the istio/gateway chart (1.30.3 `templates/deployment.yaml`,
 * `_helpers.tpl`) and the injector's gateway template write them: a selector made only of these selects the
 * gateway. Values that vary with the release, Helm or the ReplicaSet count as any value.
 */
export function gatewayPodLabels(config: EgressConfig): Record<string, string> {
  const release = config.gateway.releaseName;
  const chartLabels = gatewayChartValues(config).labels as Record<string, string>;
  const anyOf = (keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, ANY_VALUE]));
  return {
    // The chart's own labels, then the values' labels (ownership, component) which it copies onto the pods.
    "app.kubernetes.io/name": release,
    "app.kubernetes.io/instance": release,
    ...chartLabels,
    app: chartLabels.app ?? release,
    [INJECTION_KEY]: "true",
    ...(config.controlPlane.revision ? { [REVISION_KEY]: config.controlPlane.revision } : {}),
    // The injector's labels on every injected pod, the gateway's included.
    "security.istio.io/tlsMode": "istio",
    "service.istio.io/canonical-name": release,
    ...anyOf([
      // Helm's istio.labels and the values' ownership labels both write these: either value may win.
      "app.kubernetes.io/managed-by",
      "app.kubernetes.io/part-of",
      "app.kubernetes.io/version",
      "helm.sh/chart",
      "service.istio.io/canonical-revision",
      "topology.istio.io/network",
      "pod-template-hash",
    ]),
  };
}
