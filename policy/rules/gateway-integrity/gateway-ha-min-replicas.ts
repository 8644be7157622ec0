import { KIND, KubernetesObject, MIN_GATEWAY_REPLICAS } from "../../contract";
import { MeshTopology } from "../../mesh/mesh-topology";
import { dig, fields, integer, nameOf, namespaceOf, ofKind, text } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";
import { HA_KINDS, haEvidence, evidenceObject } from "../../mesh/gateway-availability-evidence";

export const gatewayHaMinReplicas: StackRule = {
  name: "gateway-ha-min-replicas",
  description:
    `The egress gateway is autoscaled by a HorizontalPodAutoscaler from at least ${MIN_GATEWAY_REPLICAS} replicas. ` +
    "All egress of the cluster goes through it: one replica is a single point of failure, and a fixed count " +
    "cannot follow load.",
  severity: "medium",
  concern: "gateway-integrity",
  defaultEnforcement: "mandatory",
  availability: true,
  remediation: `Enable the chart's autoscaling with minReplicas >= ${MIN_GATEWAY_REPLICAS}.`,
  kinds: HA_KINDS,
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const out: Violation[] = [];
    const fix = `enable autoscaling (values.autoscaling.enabled: true) with minReplicas >= ${MIN_GATEWAY_REPLICAS}`;
    for (const e of haEvidence(objects, mesh)) {
      let enabled: boolean;
      let min: number;
      let max: number | undefined;
      if (e.source === "rendered") {
        const hpa = ofKind(objects, KIND.HorizontalPodAutoscaler).find(
          (h) =>
            namespaceOf(h) === namespaceOf(e.workload) &&
            text(dig(h.spec, "scaleTargetRef", "kind")) === e.workload.kind &&
            text(dig(h.spec, "scaleTargetRef", "name")) === nameOf(e.workload),
        );
        enabled = hpa !== undefined;
        min = integer(dig(hpa?.spec, "minReplicas")) ?? 1;
        max = integer(dig(hpa?.spec, "maxReplicas"));
      } else {
        const autoscaling = fields(e.release.values.autoscaling);
        enabled = autoscaling.enabled !== false;
        // The chart's defaults: autoscaling on, from 1 to 5 replicas.
        min = integer(autoscaling.minReplicas) ?? 1;
        max = integer(autoscaling.maxReplicas) ?? 5;
      }
      const subject = evidenceObject(e);
      if (!enabled) {
        out.push(violation(subject, "the egress gateway has no HorizontalPodAutoscaler", fix));
      } else if (min < MIN_GATEWAY_REPLICAS) {
        out.push(
          violation(
            subject,
            `the egress gateway scales from ${min} replica(s), fewer than ${MIN_GATEWAY_REPLICAS}`,
            fix,
          ),
        );
      } else if (max !== undefined && max < min) {
        out.push(
          violation(subject, `the egress gateway's maxReplicas ${max} is below its minReplicas ${min}`, fix),
        );
      }
    }
    return out;
  },
};
