import * as pulumi from "@pulumi/pulumi";
import type { EgressConfig } from "../stacks/egress-config";
import { COMPONENT_LABEL } from "../policy/contract";
import { meshConfigForAccessLog } from "./gateway-access-log";
import { gatewayServiceHost } from "./gateway-endpoint";
import { HelmChartSpec, KubernetesObject, ownedLabels } from "./kubernetes-object";
import { registerChart, registerNamespaceFirst } from "./register-manifests";

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

export interface ControlPlaneArgs {
  /** What `buildControlPlaneManifests` built: the namespace and the charts, in install order. */
  readonly manifests: ControlPlaneManifests;
}

/** Istio base (CRDs) and istiod, for stacks that own their cluster's mesh. */
export class ControlPlane extends pulumi.ComponentResource {
  public readonly namespace: pulumi.Output<string>;
  /** The last chart installed (istiod): what the gateway waits for. */
  public readonly ready: pulumi.Resource;

  constructor(name: string, args: ControlPlaneArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-egress:index:ControlPlane", name, {}, opts);
    const { manifests } = args;
    let previous: pulumi.Resource = registerNamespaceFirst(this, name, manifests.namespace, opts);
    for (const chart of manifests.charts) {
      // istiod's webhooks need base's CRDs: install in order.
      previous = registerChart(`${name}-${chart.releaseName}`, chart, {
        parent: this,
        dependsOn: [previous],
      });
    }
    this.ready = previous;
    this.namespace = pulumi.output(manifests.namespace.metadata.name);
    this.registerOutputs({ namespace: this.namespace });
  }
}
