import { KubernetesObject, WORKLOAD_KINDS } from "../contract";
import { MeshTopology } from "./mesh-topology";
import { podView, PodView } from "./pod-readers";
import { inTenants, judgedTenants } from "./tenant-scope";

/**
 * Tenant isolation, pods: what a tenant pod may ask of the node and of the proxy. Pod Security Standards'
 * baseline is the positive model for host access and privilege; what no standard knows is that Istio's capture
 * lets the proxy's UID/GID out untouched and that the injector's container names are Istio's.
 */

/** The kinds that hold a pod or a pod template. */
export const POD_KINDS = WORKLOAD_KINDS;

/** Every pod view in the judged tenant namespaces. */
export function tenantPods(objects: readonly KubernetesObject[], mesh: MeshTopology): PodView[] {
  const tenants = judgedTenants(objects, mesh);
  return inTenants(objects, tenants)
    .map(podView)
    .filter((p): p is PodView => p !== undefined);
}
