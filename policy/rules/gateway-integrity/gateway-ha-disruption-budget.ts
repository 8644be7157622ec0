import { KIND, KubernetesObject } from "../../contract";
import { MeshTopology } from "../../mesh/mesh-topology";
import { dig, Fields, fields, namespaceOf, ofKind, selectorMatches, specOf } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";
import { HA_KINDS, haEvidence, evidenceObject } from "../../mesh/gateway-availability-evidence";

function budgetProtects(budget: Fields): boolean {
  const minAvailable = budget.minAvailable;
  const maxUnavailable = budget.maxUnavailable;
  if (minAvailable !== undefined) return String(minAvailable) !== "0" && String(minAvailable) !== "0%";
  if (maxUnavailable !== undefined) return String(maxUnavailable) !== "100%";
  return false;
}

export const gatewayHaDisruptionBudget: StackRule = {
  name: "gateway-ha-disruption-budget",
  description:
    "A PodDisruptionBudget keeps egress gateway replicas running through node drains and upgrades; without one " +
    "a voluntary disruption can evict every replica at once and cut all egress.",
  severity: "medium",
  concern: "gateway-integrity",
  defaultEnforcement: "mandatory",
  availability: true,
  remediation: "Set the chart's podDisruptionBudget (e.g. minAvailable: 2).",
  kinds: HA_KINDS,
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const out: Violation[] = [];
    for (const e of haEvidence(objects, mesh)) {
      let protectedByBudget: boolean;
      if (e.source === "rendered") {
        protectedByBudget = ofKind(objects, KIND.PodDisruptionBudget).some(
          (b) =>
            namespaceOf(b) === namespaceOf(e.workload) &&
            selectorMatches(dig(b.spec, "selector"), e.podLabels) &&
            budgetProtects(specOf(b)),
        );
      } else {
        protectedByBudget = budgetProtects(fields(e.release.values.podDisruptionBudget));
      }
      if (!protectedByBudget) {
        out.push(
          violation(
            evidenceObject(e),
            "no PodDisruptionBudget keeps egress gateway replicas up during voluntary disruptions",
            "set values.podDisruptionBudget.minAvailable (at least 1, e.g. 2)",
          ),
        );
      }
    }
    return out;
  },
};
