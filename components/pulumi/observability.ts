import * as pulumi from "@pulumi/pulumi";
import { registerManifests, upstreamOf } from "./register-manifests";
import { ObservabilityManifests } from "../observability";

export interface ObservabilityArgs {
  /** The objects to register, from `buildObservabilityManifests`. */
  readonly manifests: ObservabilityManifests;
  /** Resources every object waits for: the gateway chart. Default: none. */
  readonly after?: readonly pulumi.Resource[];
}

/** Prometheus Operator monitors and rules, and a Grafana dashboard, for the egress gateway. */
export class Observability extends pulumi.ComponentResource {
  constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-egress:index:Observability", name, {}, opts);
    registerManifests(name, args.manifests.objects, {
      parent: this,
      dependsOn: [...upstreamOf(opts), ...(args.after ?? [])],
    });
    this.registerOutputs({});
  }
}
