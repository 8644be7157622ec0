import { CHART_KINDS, KubernetesObject } from "../../contract";
import { chartRelease, isIstiodChart } from "../../mesh/mesh-object-readers";
import { dig } from "../../mesh/object-fields";
import { ResourceRule, Violation, violation } from "../../engine/rule";

export const controlPlaneScopesGateways: ResourceRule = {
  name: "control-plane-scopes-gateways",
  description:
    "When the stack installs istiod, it runs with `PILOT_SCOPE_GATEWAY_TO_NAMESPACE=true`, so a Gateway " +
    "only programs gateway pods in its own namespace. Without it a Gateway written in any namespace can " +
    "attach servers to the shared egress gateway (gateway hijack).",
  severity: "high",
  concern: "gateway-integrity",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: 'Set values.env.PILOT_SCOPE_GATEWAY_TO_NAMESPACE: "true" on the istiod release.',
  kinds: [...CHART_KINDS],
  scope: "resource",
  check(object: KubernetesObject): Violation[] {
    const release = chartRelease(object);
    if (!release || !isIstiodChart(release.chart)) return [];
    const value =
      dig(release.values, "env", "PILOT_SCOPE_GATEWAY_TO_NAMESPACE") ??
      dig(release.values, "pilot", "env", "PILOT_SCOPE_GATEWAY_TO_NAMESPACE");
    if (String(value) === "true") return [];
    return [
      violation(
        object,
        `istiod runs without PILOT_SCOPE_GATEWAY_TO_NAMESPACE=true (${value === undefined ? "unset" : `set to ${String(value)}`}), so a Gateway in any namespace can program the egress gateway`,
        'set values.env.PILOT_SCOPE_GATEWAY_TO_NAMESPACE to "true"',
      ),
    ];
  },
};
