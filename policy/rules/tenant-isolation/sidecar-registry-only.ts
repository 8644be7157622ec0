import { KIND, KubernetesObject } from "../../contract";
import { MeshTopology } from "../../mesh/mesh-topology";
import {
  byNamespace,
  dig,
  fieldsList,
  namespaceOf,
  ofKind,
  specOf,
  stringMap,
  text,
  texts,
} from "../../mesh/object-fields";
import { namespaceRef, StackRule, Violation, violation } from "../../engine/rule";

function isNamespaceWideSidecar(sidecar: KubernetesObject): boolean {
  return Object.keys(stringMap(dig(sidecar.spec, "workloadSelector", "labels"))).length === 0;
}

function outboundMode(sidecar: KubernetesObject): string | undefined {
  return text(dig(sidecar.spec, "outboundTrafficPolicy", "mode"));
}

export const sidecarRegistryOnly: StackRule = {
  name: "sidecar-registry-only",
  description:
    "Every tenant namespace has a namespace-wide Sidecar that sets `outboundTrafficPolicy.mode: REGISTRY_ONLY` " +
    "and lists the egress hosts it imports, every other Sidecar there sets REGISTRY_ONLY explicitly too (a " +
    "workload's Sidecar replaces the namespace's, and unset means the mesh default), and no Sidecar anywhere " +
    "switches to ALLOW_ANY. Without it the " +
    "tenant's sidecars follow the mesh default (possibly ALLOW_ANY) and pass unregistered traffic straight out.",
  severity: "high",
  concern: "tenant-isolation",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Give each tenant namespace a Sidecar without workloadSelector, mode REGISTRY_ONLY and an explicit egress host list.",
  kinds: [KIND.Namespace, KIND.Sidecar, KIND.AuthorizationPolicy, KIND.ServiceEntry],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const out: Violation[] = [];
    const sidecars = ofKind(objects, KIND.Sidecar);
    const sidecarsByNamespace = byNamespace(sidecars);
    const reported = new Set<KubernetesObject>();
    for (const tenant of [...mesh.tenantNamespaces].sort()) {
      const namespaceWide = (sidecarsByNamespace.get(tenant) ?? []).filter(isNamespaceWideSidecar);
      if (namespaceWide.length === 0) {
        out.push(
          violation(
            namespaceRef(tenant),
            "tenant namespace has no namespace-wide Sidecar, so its pods import every exported host and follow " +
              "the mesh's default outbound policy",
            "add a Sidecar without workloadSelector, with outboundTrafficPolicy.mode REGISTRY_ONLY and egress " +
              "hosts ./*, istio-system/* and the allowed <gateway-namespace>/<host> entries",
          ),
        );
        continue;
      }
      for (const sidecar of namespaceWide) {
        const mode = outboundMode(sidecar);
        if (mode !== "REGISTRY_ONLY") {
          reported.add(sidecar);
          out.push(
            violation(
              sidecar,
              `outboundTrafficPolicy.mode is ${mode ?? "unset (the mesh default applies)"} in tenant namespace ${tenant}`,
              "set spec.outboundTrafficPolicy.mode to REGISTRY_ONLY",
            ),
          );
        }
        const hosts = fieldsList(specOf(sidecar).egress).flatMap((e) => texts(e.hosts));
        if (hosts.length === 0) {
          out.push(
            violation(
              sidecar,
              "lists no egress hosts, so the tenant's sidecars import every host exported to them",
              "list ./*, istio-system/* and the allowed <gateway-namespace>/<host> entries in spec.egress[].hosts",
            ),
          );
        }
      }
    }
    for (const sidecar of sidecars) {
      if (reported.has(sidecar)) continue;
      const mode = outboundMode(sidecar);
      const namespace = namespaceOf(sidecar) ?? "";
      // A workload's Sidecar replaces the namespace's whole: left unset, its mode is the mesh default, not REGISTRY_ONLY.
      if (mode === undefined && mesh.tenantNamespaces.has(namespace)) {
        out.push(
          violation(
            sidecar,
            `leaves outboundTrafficPolicy.mode unset in tenant namespace ${namespace}, so its workloads follow the mesh default (possibly ALLOW_ANY), not the namespace's Sidecar`,
            "set spec.outboundTrafficPolicy.mode to REGISTRY_ONLY",
          ),
        );
      } else if (mode === "ALLOW_ANY") {
        out.push(
          violation(
            sidecar,
            "sets outboundTrafficPolicy.mode ALLOW_ANY, which passes traffic to unregistered hosts straight out",
            "set spec.outboundTrafficPolicy.mode to REGISTRY_ONLY",
          ),
        );
      }
    }
    return out;
  },
};
