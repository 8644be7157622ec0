import { CLUSTER_SCOPED_KINDS, DEFAULT_NAMESPACE, KubernetesObject } from "../contract";
import { isFields } from "../mesh/object-fields";

/**
 * Puts every namespaced object that names no namespace into `namespace`, as `kubectl apply -n` would,
 * before any rule runs: a ServiceEntry written without `metadata.namespace` is then judged where it lands.
 * Objects that name their namespace, and cluster-scoped kinds, are returned as they are.
 */
export function withDefaultNamespace(
  objects: readonly KubernetesObject[],
  namespace: string = DEFAULT_NAMESPACE,
): KubernetesObject[] {
  return objects.map((o) => {
    const metadata = isFields(o.metadata) ? o.metadata : undefined;
    if (CLUSTER_SCOPED_KINDS.has(String(o.kind))) return o;
    if (typeof metadata?.namespace === "string" && metadata.namespace !== "") return o;
    return { ...o, metadata: { ...(metadata ?? { name: "<unnamed>" }), namespace } } as KubernetesObject;
  });
}
