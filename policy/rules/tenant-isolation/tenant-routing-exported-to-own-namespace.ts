import { KIND, KubernetesObject } from "../../contract";
import { MeshTopology } from "../../mesh/mesh-topology";
import { namespaceOf, ofKind, specOf, texts } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";
import { inTenants, judgedTenants } from "../../mesh/tenant-scope";

/**
 * Tenant isolation, routing scope: a tenant's VirtualServices and DestinationRules apply to its own sidecars
 * only. Istio's default export is every namespace, so a tenant's rule for a host would route, or change TLS
 * for, every other tenant's traffic to that host, registered external ones included.
 */
export const tenantRoutingExportedToOwnNamespace: StackRule = {
  name: "tenant-routing-exported-to-own-namespace",
  description:
    'A VirtualService or DestinationRule in a tenant namespace sets `exportTo: ["."]` (or its own namespace). ' +
    "Without exportTo it is exported to every namespace: it would route, or change TLS for, other tenants' traffic " +
    "to the same host, an external host the registry serves included.",
  severity: "high",
  concern: "tenant-isolation",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: 'Set spec.exportTo to ["."] on the tenant\'s VirtualServices and DestinationRules.',
  kinds: [KIND.VirtualService, KIND.DestinationRule],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const routing = [...ofKind(objects, KIND.VirtualService), ...ofKind(objects, KIND.DestinationRule)];
    const out: Violation[] = [];
    for (const object of inTenants(routing, judgedTenants(objects, mesh))) {
      const namespace = namespaceOf(object) ?? "";
      const exportTo = texts(specOf(object).exportTo);
      if (exportTo.length > 0 && exportTo.every((e) => e === "." || e === namespace)) continue;
      out.push(
        violation(
          object,
          `is exported ${exportTo.length === 0 ? "to every namespace (no exportTo)" : `to ${exportTo.join(", ")}`} from tenant namespace ${namespace}, so it applies to other tenants' traffic too`,
          'set spec.exportTo to ["."]',
        ),
      );
    }
    return out;
  },
};
