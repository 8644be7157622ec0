import * as pulumi from "@pulumi/pulumi";
import { registerChart, registerNamespaceFirst } from "./register-manifests";
import { ControlPlaneManifests } from "../control-plane";

export interface ControlPlaneArgs {
  /** What `buildControlPlaneManifests` built: the namespace and the charts, in install order. */
  readonly manifests: ControlPlaneManifests;
}

/** Istio base (CRDs), Istio CNI where declared, and istiod, for stacks that own their cluster's mesh. */
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
