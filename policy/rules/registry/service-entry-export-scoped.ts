import { KIND, KubernetesObject } from "../../contract";
import { specOf, texts } from "../../mesh/object-fields";
import { ResourceRule, Violation, violation } from "../../engine/rule";

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
