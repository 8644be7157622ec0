import {
  CLUSTER_INTERNAL_CIDRS_ANNOTATION,
  KIND,
  KubernetesObject,
  NODE_LOCAL_DNS_ANNOTATION,
} from "../contract";
import { annotationsOf, nameOf, ofKind } from "./object-fields";

/**
 * The cluster's own pod, service and node ranges beyond the shared internal list (`cluster.internalCidrs`),
 * as the program declares them on the gateway Namespace: the pack judges objects, never stack config.
 */
export function declaredClusterRanges(
  objects: readonly KubernetesObject[],
  gatewayNamespace: string | undefined,
): string[] {
  return gatewayNamespaceList(objects, gatewayNamespace, CLUSTER_INTERNAL_CIDRS_ANNOTATION);
}

/** The node-local DNS cache addresses (host CIDRs) the program declares on the gateway Namespace. */
export function declaredNodeLocalDns(
  objects: readonly KubernetesObject[],
  gatewayNamespace: string | undefined,
): string[] {
  return gatewayNamespaceList(objects, gatewayNamespace, NODE_LOCAL_DNS_ANNOTATION);
}

function gatewayNamespaceList(
  objects: readonly KubernetesObject[],
  gatewayNamespace: string | undefined,
  annotation: string,
): string[] {
  const namespace = ofKind(objects, KIND.Namespace).find((n) => nameOf(n) === gatewayNamespace);
  return (namespace ? (annotationsOf(namespace)[annotation] ?? "") : "")
    .split(",")
    .map((c) => c.trim())
    .filter((c) => c !== "");
}
