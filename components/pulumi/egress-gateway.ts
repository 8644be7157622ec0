import * as pulumi from "@pulumi/pulumi";
import { registerChart, registerManifests, registerNamespaceFirst } from "./register-manifests";
import { EgressGatewayManifests } from "../egress-gateway";

export interface EgressGatewayArgs {
  /** What `buildEgressGatewayManifests` built: namespace, chart and gateway-wide objects. */
  readonly manifests: EgressGatewayManifests;
  /** The in-mesh address sidecars route egress to (`<release>.<namespace>.svc.cluster.local`). */
  readonly serviceHost: string;
  /** Resources the namespace waits for, e.g. istiod's chart when the stack installs Istio. Default: none. */
  readonly after?: readonly pulumi.Resource[];
}

/** The Istio egress gateway: namespace, Helm release, subsets, NetworkPolicy and access logging. */
export class EgressGateway extends pulumi.ComponentResource {
  /** In-mesh address the sidecars route egress to. */
  public readonly serviceHost: pulumi.Output<string>;
  public readonly namespace: pulumi.Output<string>;
  /** The registered namespace: what objects living in it (issuers) wait for. */
  public readonly namespaceResource: pulumi.Resource;
  /** The gateway chart: routes wait for it. */
  public readonly chart: pulumi.Resource;
  /** The gateway-wide DestinationRule holding every subset the routes name. */
  public readonly subsets: pulumi.Resource;

  constructor(name: string, args: EgressGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-egress:index:EgressGateway", name, {}, opts);
    const { manifests } = args;
    this.namespaceResource = registerNamespaceFirst(this, name, manifests.namespace, opts, args.after);
    this.chart = registerChart(`${name}-chart`, manifests.chart, {
      parent: this,
      dependsOn: [this.namespaceResource],
    });
    const objects = registerManifests(name, manifests.objects, {
      parent: this,
      dependsOn: [this.namespaceResource, this.chart],
    });
    this.subsets = objects[manifests.objects.findIndex((o) => o.kind === "DestinationRule")];
    this.serviceHost = pulumi.output(args.serviceHost);
    this.namespace = pulumi.output(manifests.namespace.metadata.name);
    this.registerOutputs({ serviceHost: this.serviceHost, namespace: this.namespace });
  }
}
