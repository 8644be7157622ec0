import { CHART_KINDS, KIND, KubernetesObject, TENANT_OPENABLE_RANGES } from "../../contract";
import { pinnedServiceEntryStatic } from "./pinned-service-entry-static";
import {
  isAddressLiteral,
  parseCidr,
  reachesBeyondTenantOpenable,
  reachesPublicAddresses,
} from "../../mesh/address-ranges";
import { declaredClusterRanges } from "../../mesh/cluster-ranges";
import { meshConfigOf } from "../../mesh/mesh-config";
import { gatewayRoutedHosts } from "../../mesh/mesh-queries";
import { MeshTopology } from "../../mesh/mesh-topology";
import { dig, fieldsList, namespaceOf, ofKind, specOf, text, texts } from "../../mesh/object-fields";
import { ResourceRule, StackRule, Violation, violation } from "../../engine/rule";
import { outsideDestination, tenantWorkloadEntriesInCluster } from "./tenant-workload-entries-in-cluster";
import { judgedTenants } from "../../mesh/tenant-scope";

const DNS_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/i;

export const serviceEntryHostNotWildcardOrIp: ResourceRule = {
  name: "service-entry-host-not-wildcard-or-ip",
  description:
    "Every ServiceEntry host is one exact DNS name. A wildcard (`*`, `*.example.com`) registers a whole domain " +
    "nobody reviewed, and an IP or CIDR host bypasses DNS, so the egress registry would no longer say which " +
    "external services the cluster may reach.",
  severity: "high",
  concern: "registry",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: "List each external service by its exact DNS name, one ServiceEntry host per name.",
  kinds: [KIND.ServiceEntry],
  scope: "resource",
  check(entry: KubernetesObject): Violation[] {
    const hosts = texts(specOf(entry).hosts);
    if (hosts.length === 0) {
      return [
        violation(entry, "declares no hosts", "name the external service's exact DNS name in spec.hosts"),
      ];
    }
    const out: Violation[] = [];
    for (const host of hosts) {
      if (host.includes("*")) {
        out.push(
          violation(
            entry,
            `host "${host}" is a wildcard and registers every name under it`,
            "replace it with the exact DNS names the tenants need",
          ),
        );
      } else if (isAddressLiteral(host)) {
        out.push(
          violation(
            entry,
            `host "${host}" is an IP address or CIDR, which skips DNS and the registry's names`,
            "register the service by its DNS name",
          ),
        );
      } else if (!DNS_NAME.test(host)) {
        out.push(
          violation(entry, `host "${host}" is not a DNS name`, "use the external service's exact DNS name"),
        );
      }
    }
    return out;
  },
};

const SAFE_RESOLUTIONS = new Set(["DNS", "DNS_ROUND_ROBIN", "STATIC"]);

export const serviceEntryResolutionNotNone: StackRule = {
  name: "service-entry-resolution-not-none",
  description:
    "A MESH_EXTERNAL ServiceEntry, and any ServiceEntry for a host routed through the egress gateway, resolves by " +
    "DNS (or STATIC endpoints), never `resolution: NONE` (Istio's default): with NONE the proxy forwards to whatever " +
    "IP the client dialled (any address, under a registered name), the gateway may loop back to itself, and " +
    "DNS-rebinding protection is lost.",
  severity: "high",
  concern: "registry",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: "Set `resolution: DNS` on MESH_EXTERNAL and gateway-routed ServiceEntries.",
  kinds: [KIND.ServiceEntry],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const routed = gatewayRoutedHosts(mesh);
    const out: Violation[] = [];
    for (const entry of ofKind(objects, KIND.ServiceEntry)) {
      const spec = specOf(entry);
      const hosts = texts(spec.hosts);
      const inGatewayNamespace =
        mesh.gatewayNamespace !== undefined && namespaceOf(entry) === mesh.gatewayNamespace;
      const routedHosts = hosts.filter((h) => routed.has(h));
      const external = (text(spec.location) ?? "MESH_EXTERNAL") === "MESH_EXTERNAL";
      if (routedHosts.length === 0 && !inGatewayNamespace && !external) continue;
      const resolution = text(spec.resolution);
      if (resolution === undefined || !SAFE_RESOLUTIONS.has(resolution)) {
        const why =
          routedHosts.length > 0 || inGatewayNamespace
            ? `${(routedHosts.length > 0 ? routedHosts : hosts).join(", ")} goes through the egress gateway`
            : `${hosts.join(", ")} is MESH_EXTERNAL, so the proxy forwards to whatever address the client dialled`;
        out.push(
          violation(
            entry,
            `resolves ${resolution === undefined ? "with Istio's default NONE" : `with ${resolution}`} although ${why}`,
            "set spec.resolution to DNS (or STATIC with pinned endpoints)",
          ),
        );
      }
    }
    return out;
  },
};

export const serviceEntryExportScoped: ResourceRule = {
  name: "service-entry-export-scoped",
  description:
    "Every ServiceEntry has an `exportTo` naming the namespaces that may use it (its own, the tenants). " +
    "Without it, or with `*`, every namespace in the mesh sees the external service, and a Sidecar import is " +
    "all a tenant needs to reach a service it was never granted.",
  severity: "high",
  concern: "registry",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: 'Set exportTo to ["."] plus each tenant namespace allowed to use the service.',
  kinds: [KIND.ServiceEntry],
  scope: "resource",
  check(entry: KubernetesObject): Violation[] {
    const exportTo = texts(specOf(entry).exportTo);
    const fix = 'set spec.exportTo to ["."] plus each tenant namespace allowed to use it';
    if (exportTo.length === 0) {
      return [violation(entry, "has no exportTo, so every namespace in the mesh can use it", fix)];
    }
    if (exportTo.includes("*")) {
      return [violation(entry, 'exports to "*", so every namespace in the mesh can use it', fix)];
    }
    return [];
  },
};

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

export const controlPlaneRegistryOnly: ResourceRule = {
  name: "control-plane-registry-only",
  description:
    "istiod's mesh config sets `outboundTrafficPolicy.mode: REGISTRY_ONLY` (istiod's default is ALLOW_ANY), " +
    "wherever it is written: an istiod chart release's values, an IstioOperator's meshConfig, or the `istio` " +
    "ConfigMap's `mesh` key. A sidecar in any namespace, tenant or not, then refuses hosts the registry does not list.",
  severity: "high",
  concern: "registry",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Set meshConfig.outboundTrafficPolicy.mode: REGISTRY_ONLY where istiod's mesh config is written.",
  kinds: [...CHART_KINDS, KIND.IstioOperator, KIND.ConfigMap],
  scope: "resource",
  check(object: KubernetesObject): Violation[] {
    const source = meshConfigOf(object);
    if (!source) return [];
    const mode = text(dig(source.meshConfig, "outboundTrafficPolicy", "mode"));
    if (mode === "REGISTRY_ONLY") return [];
    // An overlay that installs no istiod and leaves the mode out changes nothing.
    if (mode === undefined && !source.complete) return [];
    return [
      violation(
        object,
        `istiod's mesh-wide outbound policy (${source.where}) is ${mode ?? "unset (istiod defaults to ALLOW_ANY)"}, so sidecars pass unregistered hosts through`,
        `set ${source.where}.outboundTrafficPolicy.mode to REGISTRY_ONLY`,
      ),
    ];
  },
};

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

export const registryRules = [
  serviceEntryHostNotWildcardOrIp,
  serviceEntryResolutionNotNone,
  serviceEntryExportScoped,
  serviceEntryAddressesInternalOnly,
  serviceEntryInPlatformNamespace,
  controlPlaneRegistryOnly,
  pinnedServiceEntryStatic,
  tenantWorkloadEntriesInCluster,
];
