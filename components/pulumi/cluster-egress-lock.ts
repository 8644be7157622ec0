import * as pulumi from "@pulumi/pulumi";
import { KubernetesObject } from "../kubernetes-object";
import { registerManifests, upstreamOf } from "./register-manifests";
import { CLUSTER_EGRESS_LOCK_NAME } from "../cluster-egress-lock";

export interface ClusterEgressLockArgs {
  /** What `buildClusterEgressLockManifests` built: the AdminNetworkPolicy. */
  readonly objects: readonly KubernetesObject[];
  /** Resources the lock waits for: the gateway chart, so the way out exists before the rest is closed. */
  readonly after?: readonly pulumi.Resource[];
}

/** The cluster-wide egress lock: only the gateway's namespace (and declared exemptions) reach the internet. */
export class ClusterEgressLock extends pulumi.ComponentResource {
  /** The AdminNetworkPolicy's name. */
  public readonly policyName: pulumi.Output<string>;

  constructor(name: string, args: ClusterEgressLockArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-egress:index:ClusterEgressLock", name, {}, opts);
    registerManifests(name, args.objects, {
      parent: this,
      dependsOn: [...upstreamOf(opts), ...(args.after ?? [])],
    });
    this.policyName = pulumi.output(CLUSTER_EGRESS_LOCK_NAME);
    this.registerOutputs({ policyName: this.policyName });
  }
}
