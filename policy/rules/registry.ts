import { CHART_KINDS, KIND, KubernetesObject } from "../contract";
import { isAddressLiteral } from "./address-ranges";
import { chartRelease, isIstiodChart } from "./mesh-object-readers";
import { gatewayRoutedHosts } from "./mesh-queries";
import { MeshTopology } from "./mesh-topology";
import { dig, namespaceOf, ofKind, specOf, text, texts } from "./object-fields";
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

export const serviceEntryInPlatformNamespace: StackRule = {
  name: "service-entry-in-platform-namespace",
  description:
    "External services (MESH_EXTERNAL ServiceEntries) are registered only in the platform namespace, where " +
    "the gateway, its authorization and its logs cover them. A ServiceEntry in a tenant namespace is a " +
    "private registry: its sidecars import it (`./*`) and route to the host directly, around the review.",
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
    return ofKind(objects, KIND.ServiceEntry)
      .filter(
        (e) => (text(specOf(e).location) ?? "MESH_EXTERNAL") === "MESH_EXTERNAL" && namespaceOf(e) !== ns,
      )
      .map((e) =>
        violation(
          e,
          `registers external host(s) ${texts(specOf(e).hosts).join(", ")} in namespace ${namespaceOf(e) ?? "default"}, outside the platform namespace ${ns}`,
          `declare the service in the platform config (its ServiceEntry then lives in ${ns}) and delete this one`,
        ),
      );
  },
};

export const controlPlaneRegistryOnly: ResourceRule = {
  name: "control-plane-registry-only",
  description:
    "When the stack installs istiod, its mesh config sets `outboundTrafficPolicy.mode: REGISTRY_ONLY` " +
    "(istiod's default is ALLOW_ANY), so a sidecar in any namespace, tenant or not, refuses hosts the " +
    "registry does not list.",
  severity: "high",
  concern: "registry",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: "Set values.meshConfig.outboundTrafficPolicy.mode: REGISTRY_ONLY on the istiod release.",
  kinds: [...CHART_KINDS],
  scope: "resource",
  check(object: KubernetesObject): Violation[] {
    const release = chartRelease(object);
    if (!release || !isIstiodChart(release.chart)) return [];
    const mode = text(dig(release.values, "meshConfig", "outboundTrafficPolicy", "mode"));
    if (mode === "REGISTRY_ONLY") return [];
    return [
      violation(
        object,
        `istiod's mesh-wide outbound policy is ${mode ?? "unset (istiod defaults to ALLOW_ANY)"}, so sidecars pass unregistered hosts through`,
        "set values.meshConfig.outboundTrafficPolicy.mode to REGISTRY_ONLY",
      ),
    ];
  },
};

export const registryRules = [
  serviceEntryHostNotWildcardOrIp,
  serviceEntryResolutionNotNone,
  serviceEntryExportScoped,
  serviceEntryInPlatformNamespace,
  controlPlaneRegistryOnly,
];
