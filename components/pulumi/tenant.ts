import * as pulumi from "@pulumi/pulumi";
import { registerManifests, registerNamespaceFirst } from "./register-manifests";
import { TenantManifests } from "../tenant";

export interface TenantArgs {
  /** What `buildTenantManifests` built: the namespace and the tenant's lock. */
  readonly manifests: TenantManifests;
  /** `host:port` destinations the tenant may reach (exported as an output). */
  readonly allowedDestinations: readonly string[];
  /** Resources the namespace (and so the lock) waits for: the gateway chart and the allowed services' routes. Default: none. */
  readonly after?: readonly pulumi.Resource[];
}

/** A tenant namespace confined to its allowed external services. */
export class Tenant extends pulumi.ComponentResource {
  /** `host:port` destinations the tenant may reach. */
  public readonly allowedDestinations: pulumi.Output<string[]>;
  /** The tenant's namespace: objects others add to it (break-glass) wait for it. */
  public readonly namespaceResource: pulumi.Resource;

  constructor(name: string, args: TenantArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-egress:index:Tenant", name, {}, opts);
    const { manifests } = args;
    // Tenant namespaces hold the teams' workloads: destroying the stack must never delete them.
    const namespace = registerNamespaceFirst(this, name, manifests.namespace, opts, args.after, true);
    this.namespaceResource = namespace;
    registerManifests(name, manifests.objects, { parent: this, dependsOn: [namespace] });
    this.allowedDestinations = pulumi.output([...args.allowedDestinations]);
    this.registerOutputs({ allowedDestinations: this.allowedDestinations });
  }
}
