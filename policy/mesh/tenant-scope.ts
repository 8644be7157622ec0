import { KubernetesObject, NAMESPACE_INJECTION_LABEL, REVISION_KEY, TENANT_LABEL } from "../contract";
import { declaredNamespaces } from "./mesh-queries";
import { MeshTopology } from "./mesh-topology";
import { labelsOf, namespaceOf } from "./object-fields";

/**
 * The namespaces whose objects the tenant rules judge: the mesh's tenants, less those the input declares
 * outside the mesh (a Namespace with neither the tenant label nor injection, such as a monitoring stack's in a
 * `kubectl get -A` export). Only the tenant label makes a namespace a tenant for the admission guardrails; offline
 * a namespace seen only through its workloads is judged too, since a render may leave its Namespace out.
 */
export function judgedTenants(objects: readonly KubernetesObject[], mesh: MeshTopology): Set<string> {
  const declared = declaredNamespaces(objects);
  return new Set(
    [...mesh.tenantNamespaces].filter((name) => {
      const namespace = declared.get(name);
      if (!namespace) return true;
      const labels = labelsOf(namespace);
      return TENANT_LABEL in labels || NAMESPACE_INJECTION_LABEL in labels || REVISION_KEY in labels;
    }),
  );
}

/** The objects of the input that sit in a judged tenant namespace. */
export function inTenants(
  objects: readonly KubernetesObject[],
  tenants: ReadonlySet<string>,
): KubernetesObject[] {
  return objects.filter((o) => tenants.has(namespaceOf(o) ?? ""));
}
