import { CHART_KINDS, KIND, KubernetesObject } from "../../contract";
import { meshConfigOf } from "../../mesh/mesh-config";
import { dig, text } from "../../mesh/object-fields";
import { ResourceRule, Violation, violation } from "../../engine/rule";

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
