import { KIND, KubernetesObject } from "../../contract";
import { policyAppliesToGateway } from "../../mesh/mesh-queries";
import { MeshTopology } from "../../mesh/mesh-topology";
import { dig, fieldsList, ofKind, specOf, text } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";

const DESTRUCTIVE_OPERATIONS = new Set(["REMOVE", "REPLACE"]);

export const envoyFilterNoRemovalAtGateway: StackRule = {
  name: "envoy-filter-no-removal-at-gateway",
  description:
    "No EnvoyFilter at the egress gateway removes or replaces parts of its configuration (patch operation " +
    "REMOVE or REPLACE). Istio enforces AuthorizationPolicy and writes access logs through the gateway's own " +
    "filters; a patch that removes or swaps them (the RBAC filter, the connection manager) silently turns " +
    "authorization or logging off.",
  severity: "critical",
  concern: "envoy-filters",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Add behaviour with INSERT_BEFORE/INSERT_AFTER/ADD/MERGE patches; never remove or replace Istio's filters.",
  kinds: [KIND.EnvoyFilter],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const out: Violation[] = [];
    for (const filter of ofKind(objects, KIND.EnvoyFilter)) {
      if (!policyAppliesToGateway(mesh, filter, dig(filter.spec, "workloadSelector", "labels"))) continue;
      fieldsList(specOf(filter).configPatches).forEach((patch, index) => {
        const context = text(dig(patch.match, "context")) ?? "ANY";
        if (context === "SIDECAR_INBOUND" || context === "SIDECAR_OUTBOUND") return;
        const operation = text(dig(patch.patch, "operation")) ?? "";
        if (!DESTRUCTIVE_OPERATIONS.has(operation)) return;
        const target =
          text(dig(patch.match, "listener", "filterChain", "filter", "subFilter", "name")) ??
          text(dig(patch.match, "listener", "filterChain", "filter", "name")) ??
          text(patch.applyTo) ??
          "configuration";
        out.push(
          violation(
            filter,
            `patch ${index} ${operation}s ${target} at the egress gateway, which can switch off its authorization or access logging`,
            "express the change as an added filter (INSERT_BEFORE/INSERT_AFTER) or a MERGE, or drop the patch",
          ),
        );
      });
    }
    return out;
  },
};
