import { KIND, KubernetesObject } from "../../contract";
import { isAddressLiteral } from "../../mesh/address-ranges";
import { declaredClusterRanges } from "../../mesh/cluster-ranges";
import { MeshTopology } from "../../mesh/mesh-topology";
import { fieldsList, namespaceOf, ofKind, specOf, text, texts } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";
import { outsideDestination } from "../../mesh/tenant-destinations";
import { judgedTenants } from "../../mesh/tenant-scope";

/**
 * The outside destinations a MESH_INTERNAL ServiceEntry outside the platform reaches, as phrases: its
 * endpoints, the hosts it resolves by DNS when it lists none, or any address at all (resolution NONE without
 * addresses forwards to whatever the client dialled). Addresses are judged by service-entry-addresses-internal-only.
 */
function internalEntryOutsideDestinations(
  entry: KubernetesObject,
  clusterDomain: string,
  clusterRanges: readonly string[],
): string[] {
  const spec = specOf(entry);
  if (spec.workloadSelector !== undefined) return [];
  const resolution = text(spec.resolution) ?? "NONE";
  const endpoints = fieldsList(spec.endpoints)
    .map((e) => text(e.address))
    .filter((a): a is string => a !== undefined);
  const out: string[] = [];
  const judge = (value: string, what: string): void => {
    const why = outsideDestination(value, clusterDomain, clusterRanges);
    if (why) out.push(`${what} ${why}`);
  };
  endpoints.forEach((e) => judge(e, "endpoint"));
  if (endpoints.length === 0 && resolution.startsWith("DNS")) {
    texts(spec.hosts)
      .filter((h) => !h.includes("*") && !isAddressLiteral(h))
      .forEach((h) => judge(h, "host, resolved by DNS,"));
  }
  if (resolution === "NONE" && texts(spec.addresses).length === 0) {
    out.push(
      "resolution NONE without addresses forwards to whatever address the client dialled, outside ones included",
    );
  }
  return out;
}

export const serviceEntryInPlatformNamespace: StackRule = {
  name: "service-entry-in-platform-namespace",
  description:
    "External services are registered only in the platform namespace, where the gateway, its authorization and " +
    "its logs cover them. Outside it a ServiceEntry is MESH_INTERNAL and names in-cluster destinations only: no " +
    "MESH_EXTERNAL entry, and no MESH_INTERNAL one whose endpoints, DNS-resolved hosts or NONE resolution without " +
    "addresses reach outside the cluster (endpoints on loopback, private or cluster ranges are in-cluster); one in a " +
    'tenant namespace exports to its own namespace alone (`["."]`). Such an ' +
    "entry is a private registry: its sidecars import it (`./*`) and route to the host directly, around the review.",
  severity: "high",
  concern: "registry",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Declare the external service in the platform config; delete the namespace's own ServiceEntry.",
  kinds: [KIND.ServiceEntry],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const ns = mesh.gatewayNamespace;
    if (ns === undefined) return [];
    const clusterRanges = declaredClusterRanges(objects, ns);
    const tenants = judgedTenants(objects, mesh);
    const fix = `declare the service in the platform config (its ServiceEntry then lives in ${ns}) and delete this one`;
    const out: Violation[] = [];
    for (const entry of ofKind(objects, KIND.ServiceEntry)) {
      if (namespaceOf(entry) === ns) continue;
      if ((text(specOf(entry).location) ?? "MESH_EXTERNAL") === "MESH_EXTERNAL") {
        out.push(
          violation(
            entry,
            `registers external host(s) ${texts(specOf(entry).hosts).join(", ")} in namespace ${namespaceOf(entry) ?? "default"}, outside the platform namespace ${ns}`,
            fix,
          ),
        );
        continue;
      }
      const namespace = namespaceOf(entry) ?? "";
      const exportTo = texts(specOf(entry).exportTo);
      // No exportTo, or "*", is service-entry-export-scoped's; a tenant's may not name other namespaces either.
      const others = exportTo.filter((e) => e !== "." && e !== namespace);
      if (tenants.has(namespace) && !exportTo.includes("*") && others.length > 0) {
        out.push(
          violation(
            entry,
            `is exported from tenant namespace ${namespace} to ${others.join(", ")}, so those namespaces (the egress gateway's among them) use the tenant's registration`,
            'set spec.exportTo to ["."]',
          ),
        );
      }
      for (const why of internalEntryOutsideDestinations(entry, mesh.clusterDomain, clusterRanges)) {
        out.push(
          violation(entry, `is MESH_INTERNAL but its ${why}, outside the platform namespace ${ns}`, fix),
        );
      }
    }
    return out;
  },
};
