import { KubernetesObject } from "./kubernetes-object";
import { isAddressLiteral } from "./address-ranges";
import { KIND } from "./kinds";
import { gatewayRoutedHosts, MeshTopology } from "./mesh-topology";
import { namespaceOf, ofKind, specOf, text, texts } from "./object-fields";
import { ResourceRule, StackRule, Violation, violation } from "./rule";

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
    "A ServiceEntry for a host routed through the egress gateway resolves by DNS (or STATIC endpoints), never " +
    "`resolution: NONE` (Istio's default): with NONE the gateway forwards to whatever IP the client dialled, " +
    "or loops back to itself, and DNS-rebinding protection is lost.",
  severity: "high",
  concern: "registry",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: "Set `resolution: DNS` on ServiceEntries of gateway-routed hosts.",
  kinds: [KIND.ServiceEntry],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const routed = gatewayRoutedHosts(mesh);
    const out: Violation[] = [];
    for (const entry of ofKind(objects, KIND.ServiceEntry)) {
      const spec = specOf(entry);
      if ((text(spec.location) ?? "MESH_EXTERNAL") !== "MESH_EXTERNAL") continue;
      const hosts = texts(spec.hosts);
      const inGatewayNamespace =
        mesh.gatewayNamespace !== undefined && namespaceOf(entry) === mesh.gatewayNamespace;
      const routedHosts = hosts.filter((h) => routed.has(h));
      if (routedHosts.length === 0 && !inGatewayNamespace) continue;
      const resolution = text(spec.resolution);
      if (resolution === undefined || !SAFE_RESOLUTIONS.has(resolution)) {
        out.push(
          violation(
            entry,
            `resolves ${resolution === undefined ? "with Istio's default NONE" : `with ${resolution}`} although ` +
              `${(routedHosts.length > 0 ? routedHosts : hosts).join(", ")} goes through the egress gateway`,
            "set spec.resolution to DNS",
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

export const registryRules = [
  serviceEntryHostNotWildcardOrIp,
  serviceEntryResolutionNotNone,
  serviceEntryExportScoped,
];
