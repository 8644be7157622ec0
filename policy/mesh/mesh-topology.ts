import { KubernetesObject } from "../contract";
import type { GatewayServer, VirtualRoute } from "./mesh-object-readers";

/** What the rules need to know about the platform, derived from the objects themselves. */
export interface MeshTopology {
  readonly objects: readonly KubernetesObject[];
  /** The platform's namespace, where the egress gateway runs; undefined when nothing reveals it. */
  readonly gatewayNamespace?: string;
  /** How the gateway namespace was found, for messages ("--gateway-namespace", "Namespace labelled …"). */
  readonly gatewayNamespaceEvidence: string;
  readonly rootNamespace: string;
  /** The cluster's DNS domain: in-cluster hosts end in `.svc.<clusterDomain>`. */
  readonly clusterDomain: string;
  readonly tenantNamespaces: ReadonlySet<string>;
  /** Labels the egress gateway's pods carry; ANY_LABEL_VALUE where the chart or Helm varies the value. */
  readonly gatewayLabels: Readonly<Record<string, string>>;
  /** Service names of the gateway in its namespace (the chart's release names). */
  readonly gatewayServiceNames: ReadonlySet<string>;
  /** Gateways (any namespace) whose selector picks the egress gateway's pods. */
  readonly egressGateways: readonly KubernetesObject[];
  readonly servers: readonly GatewayServer[];
  readonly routes: readonly VirtualRoute[];
}
