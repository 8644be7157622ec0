import type { EgressConfig } from "../stacks/model/egress-config";
import { COMPONENT_LABEL } from "../policy/contract";
import { meshConfigForAccessLog } from "./gateway-access-log";
import { gatewayServiceHost } from "./gateway-endpoint";
import { HelmChartSpec, KubernetesObject, ownedLabels } from "./kubernetes-object";

export interface ControlPlaneManifests {
  readonly namespace: KubernetesObject;
  /** `base` (CRDs) first, then `istiod`. */
  readonly charts: HelmChartSpec[];
}

/**
 * Istio for clusters the stack owns: mesh-wide REGISTRY_ONLY, and Gateways scoped to their own
 * namespace so no tenant can bind a Gateway to the shared egress pods.
 */
export function buildControlPlaneManifests(config: EgressConfig): ControlPlaneManifests {
  const { namespace, chart, trustDomain } = config.controlPlane;
  const common = { namespace, version: chart.version, repository: chart.repository, repositoryName: "istio" };
  return {
    namespace: {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: namespace, labels: ownedLabels({ [COMPONENT_LABEL]: "control-plane" }) },
    },
    charts: [
      { ...common, releaseName: "istio-base", chart: "base", values: {} },
      // Istio CNI sets up each pod's capture from the node: no privileged istio-init in tenant pods.
      ...(config.controlPlane.cni ? [{ ...common, releaseName: "istio-cni", chart: "cni", values: {} }] : []),
      {
        ...common,
        releaseName: "istiod",
        chart: "istiod",
        values: {
          global: { istioNamespace: namespace },
          meshConfig: {
            trustDomain,
            outboundTrafficPolicy: { mode: "REGISTRY_ONLY" },
            // In a multi-cluster mesh, same-named Services merge endpoints: keep egress on this cluster's gateway.
            serviceSettings: [{ settings: { clusterLocal: true }, hosts: [gatewayServiceHost(config)] }],
            ...meshConfigForAccessLog(),
          },
          env: { PILOT_SCOPE_GATEWAY_TO_NAMESPACE: "true" },
          ...(config.controlPlane.cni ? { cni: { enabled: true } } : {}),
          ...(config.controlPlane.revision ? { revision: config.controlPlane.revision } : {}),
        },
      },
    ],
  };
}
