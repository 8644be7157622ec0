import { KIND, KubernetesObject } from "../../contract";
import { dig, list, specOf, stringMap } from "../../mesh/object-fields";
import { ResourceRule, Violation, violation } from "../../engine/rule";

export const envoyFilterHasWorkloadSelector: ResourceRule = {
  name: "envoy-filter-has-workload-selector",
  description:
    "Every EnvoyFilter names the workloads it patches (`workloadSelector.labels`, or `targetRefs`). Without one " +
    "it patches every proxy of its namespace, and in the root namespace every proxy of the mesh.",
  severity: "high",
  concern: "envoy-filters",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: "Add workloadSelector.labels (for the egress gateway: istio: egressgateway).",
  kinds: [KIND.EnvoyFilter],
  scope: "resource",
  check(filter: KubernetesObject): Violation[] {
    const labels = stringMap(dig(filter.spec, "workloadSelector", "labels"));
    if (Object.keys(labels).length > 0 || list(specOf(filter).targetRefs).length > 0) return [];
    return [
      violation(
        filter,
        "has no workloadSelector, so it patches every proxy in its namespace (every proxy of the mesh in the root namespace)",
        "set spec.workloadSelector.labels to the workloads it is meant for (istio: egressgateway for the gateway)",
      ),
    ];
  },
};
