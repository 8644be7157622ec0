import { KIND, KubernetesObject } from "../../contract";
import { gatewayRoutedHosts } from "../../mesh/mesh-queries";
import { MeshTopology } from "../../mesh/mesh-topology";
import { namespaceOf, ofKind, specOf, text, texts } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";

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
