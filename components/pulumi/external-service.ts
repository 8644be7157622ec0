import * as pulumi from "@pulumi/pulumi";
import { KubernetesObject } from "../kubernetes-object";
import { registerManifests, upstreamOf } from "./register-manifests";

export interface ExternalServiceArgs {
  /** The hosts the service registers (exported as an output). */
  readonly hosts: readonly string[];
  /** What `buildExternalServiceManifests` built for the service, in apply order. */
  readonly objects: readonly KubernetesObject[];
  /** Resources every object waits for: the gateway chart, its subsets, the service's certificates. Default: none. */
  readonly after?: readonly pulumi.Resource[];
}

/** One external service in the registry, routed through the egress gateway in its mode. */
export class ExternalService extends pulumi.ComponentResource {
  /** The hosts this service registers. */
  public readonly hosts: pulumi.Output<string[]>;
  /** The service's registered objects: what a tenant allowed to use it waits for. */
  public readonly routes: readonly pulumi.Resource[];

  constructor(name: string, args: ExternalServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-egress:index:ExternalService", name, {}, opts);
    this.routes = registerManifests(name, args.objects, {
      parent: this,
      dependsOn: [...upstreamOf(opts), ...(args.after ?? [])],
    });
    this.hosts = pulumi.output([...args.hosts]);
    this.registerOutputs({ hosts: this.hosts });
  }
}
