import * as pulumi from "@pulumi/pulumi";
import type { EgressConfig } from "../stacks/egress-config";
import { registerChart } from "./egress-gateway";
import { meshConfigForAccessLog } from "./gateway-access-log";
import { COMPONENT_LABEL, HelmChartSpec, KubernetesObject, ownedLabels } from "./kubernetes-object";
import { childName, registerKubernetesObject, upstreamOf } from "./register-manifests";

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
      {
        ...common,
        releaseName: "istiod",
        chart: "istiod",
        values: {
          global: { istioNamespace: namespace },
          meshConfig: {
            trustDomain,
            outboundTrafficPolicy: { mode: "REGISTRY_ONLY" },
            ...meshConfigForAccessLog(),
          },
          env: { PILOT_SCOPE_GATEWAY_TO_NAMESPACE: "true" },
        },
      },
    ],
  };
}

export interface ControlPlaneArgs {
  /** The whole validated configuration; only `controlPlane` is read. */
  readonly config: EgressConfig;
}

/** Istio base (CRDs) and istiod, for stacks that own their cluster's mesh. */
export class ControlPlane extends pulumi.ComponentResource {
  public readonly namespace: pulumi.Output<string>;

  constructor(name: string, args: ControlPlaneArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-egress:index:ControlPlane", name, {}, opts);
    const manifests = buildControlPlaneManifests(args.config);
    const namespace = registerKubernetesObject(childName(name, manifests.namespace), manifests.namespace, {
      parent: this,
      dependsOn: upstreamOf(opts),
    });
    let previous: pulumi.Resource = namespace;
    for (const chart of manifests.charts) {
      // istiod's webhooks need base's CRDs: install in order.
      previous = registerChart(`${name}-${chart.releaseName}`, chart, {
        parent: this,
        dependsOn: [previous],
      });
    }
    this.namespace = pulumi.output(args.config.controlPlane.namespace);
    this.registerOutputs({ namespace: this.namespace });
  }
}
