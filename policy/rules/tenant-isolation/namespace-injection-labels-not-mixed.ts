import { KIND, KubernetesObject } from "../../contract";
import { isKind, labelsOf } from "../../mesh/object-fields";
import { ResourceRule, Violation, violation } from "../../engine/rule";

export const namespaceInjectionLabelsNotMixed: ResourceRule = {
  name: "namespace-injection-labels-not-mixed",
  description:
    "No namespace carries both `istio-injection` and `istio.io/rev`. `istio-injection` overrides the revision " +
    "label and is honoured only by the default revision's webhook, so under a revisioned control plane its pods " +
    "get no sidecar (or the wrong revision's) and escape the Sidecar scope and the gateway's authorization.",
  severity: "high",
  concern: "tenant-isolation",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Keep istio.io/rev=<revision> alone (revisioned control plane), or istio-injection=enabled alone.",
  kinds: [KIND.Namespace],
  scope: "resource",
  check(object: KubernetesObject): Violation[] {
    if (!isKind(object, KIND.Namespace)) return [];
    const labels = labelsOf(object);
    if (!("istio-injection" in labels) || !("istio.io/rev" in labels)) return [];
    return [
      violation(
        object,
        `carries istio-injection=${labels["istio-injection"]} beside istio.io/rev=${labels["istio.io/rev"]}; istio-injection wins and only the default revision honours it`,
        "remove the istio-injection label and keep istio.io/rev",
      ),
    ];
  },
};
