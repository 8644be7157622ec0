import { INJECTION_KEY, REVISION_KEY } from "./istio-proxy";

/** A label value standing for "any value": no real label may hold `*`, so a selector on that key always matches. */
export const ANY_LABEL_VALUE = "*";

/** What a gateway chart installation is, as far as the labels of its pods go. */
export interface GatewayChartInstall {
  /** The Helm release name: the chart names the Deployment, Service and `app` label after it. */
  readonly releaseName: string;
  /** The chart's `values.labels`, which it copies onto the pods. */
  readonly valuesLabels: Readonly<Record<string, string>>;
  /** The chart's `values.revision`: the injector's revision, set on the pods as `istio.io/rev`. */
  readonly revision?: string;
}

/**
 * Every label an egress gateway pod carries, as the istio/gateway chart (1.30.3 `templates/deployment.yaml`,
 * `_helpers.tpl`) and the injector's gateway template write them: a selector made only of these selects the
 * gateway. Values that vary with the release, Helm or the ReplicaSet are ANY_LABEL_VALUE.
 */
export function gatewayChartPodLabels(install: GatewayChartInstall): Record<string, string> {
  const { releaseName, valuesLabels, revision } = install;
  const anyOf = (keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, ANY_LABEL_VALUE]));
  return {
    // The chart's own labels, then the values' labels (ownership, component) which it copies onto the pods.
    "app.kubernetes.io/name": releaseName,
    "app.kubernetes.io/instance": releaseName,
    ...valuesLabels,
    app: valuesLabels.app ?? releaseName,
    [INJECTION_KEY]: "true",
    ...(revision ? { [REVISION_KEY]: revision } : {}),
    // The injector's labels on every injected pod, the gateway's included.
    "security.istio.io/tlsMode": "istio",
    "service.istio.io/canonical-name": releaseName,
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
