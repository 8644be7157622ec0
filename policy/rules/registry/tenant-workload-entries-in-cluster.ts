import { KIND, KubernetesObject } from "../../contract";
import { MeshTopology } from "../../mesh/mesh-topology";
import { fields, ofKind, specOf, text } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";
import { inTenants } from "../../mesh/tenant-scope";
import { destinationContext, outsideDestination } from "../../mesh/tenant-destinations";

export const tenantWorkloadEntriesInCluster: StackRule = {
  name: "tenant-workload-entries-in-cluster",
  description:
    "A WorkloadEntry (`spec.address`) or WorkloadGroup (`spec.template.address`) in a tenant namespace names an " +
    "in-cluster name or an address in the ranges a tenant may open. A public address makes an outside machine a " +
    "workload of the mesh: the tenant's sidecars send to it directly, around the registry and the egress gateway.",
  severity: "high",
  concern: "registry",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Delete the WorkloadEntry/WorkloadGroup and declare the outside service in the platform registry.",
  kinds: [KIND.WorkloadEntry, KIND.WorkloadGroup],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const { clusterDomain, clusterRanges, tenants } = destinationContext(objects, mesh);
    const out: Violation[] = [];
    const entries = [...ofKind(objects, KIND.WorkloadEntry), ...ofKind(objects, KIND.WorkloadGroup)];
    for (const entry of inTenants(entries, tenants)) {
      const spec = entry.kind === KIND.WorkloadGroup.kind ? fields(specOf(entry).template) : specOf(entry);
      const address = text(spec.address);
      const why =
        address === undefined ? undefined : outsideDestination(address, clusterDomain, clusterRanges);
      if (why) {
        out.push(
          violation(
            entry,
            `address ${why}, so the tenant's sidecars reach it directly as a mesh workload`,
            "delete it and ask the platform team to register the outside service (it then leaves through the egress gateway)",
          ),
        );
      }
    }
    return out;
  },
};
