import { KIND, KubernetesObject } from "../../contract";
import { MeshTopology } from "../../mesh/mesh-topology";
import {
  fieldsList,
  namespaceOf,
  ofKind,
  specOf,
  splitNamespacedHost,
  texts,
} from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";

export const sidecarImportsGatewayHostsByName: StackRule = {
  name: "sidecar-imports-gateway-hosts-by-name",
  description:
    "A Sidecar in a tenant namespace imports external hosts from the platform namespace one by one " +
    "(`<gateway-namespace>/<host>`), never with a wildcard (`<gateway-namespace>/*`, `<gateway-namespace>/*.example.com`). " +
    "The per-tenant allow list then holds in the Sidecar as well as in exportTo: widening one layer does not open the other.",
  severity: "high",
  concern: "tenant-isolation",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Replace the wildcard with one <gateway-namespace>/<host> entry per service the tenant may use.",
  kinds: [KIND.Sidecar],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const platform = mesh.gatewayNamespace;
    if (platform === undefined) return [];
    const out: Violation[] = [];
    for (const sidecar of ofKind(objects, KIND.Sidecar)) {
      if (!mesh.tenantNamespaces.has(namespaceOf(sidecar) ?? "")) continue;
      for (const entry of fieldsList(specOf(sidecar).egress).flatMap((e) => texts(e.hosts))) {
        const { namespace, host } = splitNamespacedHost(entry);
        if (namespace === platform && host.includes("*")) {
          out.push(
            violation(
              sidecar,
              `egress host "${entry}" imports every external host exported to tenant ${namespaceOf(sidecar)}, not only its allowed ones`,
              `list each allowed service as ${platform}/<host> instead`,
            ),
          );
        }
      }
    }
    return out;
  },
};
