import { CLUSTER_INTERNAL_CIDRS_ANNOTATION, KIND, KubernetesObject } from "../contract";
import { annotationsOf, nameOf, ofKind } from "./object-fields";

/**
 * The cluster's own pod, service and node ranges beyond the shared internal list (`cluster.internalCidrs`),
 * as the program declares them on the gateway Namespace: the pack judges objects, never stack config.
 */
export function declaredClusterRanges(
  objects: readonly KubernetesObject[],
  gatewayNamespace: string | undefined,
): string[] {
  const namespace = ofKind(objects, KIND.Namespace).find((n) => nameOf(n) === gatewayNamespace);
  return (namespace ? (annotationsOf(namespace)[CLUSTER_INTERNAL_CIDRS_ANNOTATION] ?? "") : "")
    .split(",")
    .map((c) => c.trim())
    .filter((c) => c !== "");
}
