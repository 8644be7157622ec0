import { KIND, KubernetesObject, TENANT_OPENABLE_RANGES } from "../../contract";
import { parseCidr, reachesBeyondTenantOpenable, reachesPublicAddresses } from "../../mesh/address-ranges";
import { declaredClusterRanges } from "../../mesh/cluster-ranges";
import { MeshTopology } from "../../mesh/mesh-topology";
import { namespaceOf, ofKind, specOf, texts } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";
import { judgedTenants } from "../../mesh/tenant-scope";

export const serviceEntryAddressesInternalOnly: StackRule = {
  name: "service-entry-addresses-internal-only",
  description:
    "A ServiceEntry's `addresses` stay within internal ranges, and in a tenant namespace within the ranges a " +
    "tenant may open (never link-local metadata or NAT64). Addresses are what the sidecar matches connections " +
    "on: `0.0.0.0/0`, or any range reaching public space, captures traffic to those internet addresses under one " +
    "reviewed name and sends it out, whatever the host really is.",
  severity: "high",
  concern: "registry",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: "Remove the public addresses; register the external service by its DNS name.",
  kinds: [KIND.ServiceEntry],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const tenants = judgedTenants(objects, mesh);
    const clusterRanges = declaredClusterRanges(objects, mesh.gatewayNamespace);
    const out: Violation[] = [];
    for (const entry of ofKind(objects, KIND.ServiceEntry)) {
      const tenant = tenants.has(namespaceOf(entry) ?? "");
      for (const address of texts(specOf(entry).addresses)) {
        const cidr = address.includes("/") ? address : `${address}/${address.includes(":") ? 128 : 32}`;
        const range = parseCidr(cidr);
        if (!range) continue;
        if (reachesPublicAddresses([range])) {
          out.push(
            violation(
              entry,
              `address ${address} reaches public internet addresses, so connections to them match this entry and leave the cluster`,
              "remove the address (or narrow it to the internal range it stands for) and register the service by DNS name",
            ),
          );
        } else if (tenant && reachesBeyondTenantOpenable([range], clusterRanges)) {
          out.push(
            violation(
              entry,
              `address ${address} in tenant namespace ${namespaceOf(entry) ?? ""} reaches beyond the ranges a tenant may open (${TENANT_OPENABLE_RANGES.join(", ")} and cluster.internalCidrs; never link-local metadata or NAT64)`,
              "remove the address, or narrow it to the in-cluster range it stands for",
            ),
          );
        }
      }
    }
    return out;
  },
};
