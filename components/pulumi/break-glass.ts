import * as pulumi from "@pulumi/pulumi";
import { registerManifests, upstreamOf } from "./register-manifests";
import { BreakGlassManifests } from "../break-glass";

export interface BreakGlassArgs {
  readonly manifests: BreakGlassManifests;
  /** Resources the objects wait for: the gateway chart and the tenants they touch. */
  readonly after: readonly pulumi.Resource[];
}

/** Time-bounded egress exceptions: registered only while active, removed by the first `up` after expiry. */
export class BreakGlass extends pulumi.ComponentResource {
  constructor(name: string, args: BreakGlassArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-egress:index:BreakGlass", name, {}, opts);
    for (const { entry, objects } of args.manifests.entries) {
      // A direct entry's NetworkPolicies share a name across tenant namespaces: name children per namespace.
      for (const namespace of new Set(objects.map((o) => o.metadata.namespace as string))) {
        registerManifests(
          `${name}-${entry.id}-${namespace}`,
          objects.filter((o) => o.metadata.namespace === namespace),
          { parent: this, dependsOn: [...upstreamOf(opts), ...args.after] },
        );
      }
    }
    this.registerOutputs({});
  }
}
