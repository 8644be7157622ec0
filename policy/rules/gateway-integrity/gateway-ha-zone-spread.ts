import { KubernetesObject } from "../../contract";
import { podTemplate } from "../../mesh/mesh-object-readers";
import { MeshTopology } from "../../mesh/mesh-topology";
import { dig, Fields, fields, fieldsList, text } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";
import { HA_KINDS, haEvidence, evidenceObject } from "../../mesh/gateway-availability-evidence";

const ZONE_KEYS = new Set(["topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone"]);

function spreadsOverZones(podSpec: Fields): boolean {
  const spread = fieldsList(podSpec.topologySpreadConstraints).some((c) =>
    ZONE_KEYS.has(text(c.topologyKey) ?? ""),
  );
  const antiAffinity = fields(dig(podSpec, "affinity", "podAntiAffinity"));
  const required = fieldsList(antiAffinity.requiredDuringSchedulingIgnoredDuringExecution);
  const preferred = fieldsList(antiAffinity.preferredDuringSchedulingIgnoredDuringExecution).map((p) =>
    fields(p.podAffinityTerm),
  );
  return spread || [...required, ...preferred].some((t) => ZONE_KEYS.has(text(t.topologyKey) ?? ""));
}

export const gatewayHaZoneSpread: StackRule = {
  name: "gateway-ha-zone-spread",
  description:
    "Egress gateway replicas are spread across zones (a topologySpreadConstraint or pod anti-affinity on " +
    "topology.kubernetes.io/zone), so losing one zone does not take all egress down with it.",
  severity: "medium",
  concern: "gateway-integrity",
  defaultEnforcement: "mandatory",
  availability: true,
  remediation:
    "Add a topologySpreadConstraint with topologyKey topology.kubernetes.io/zone to the chart values.",
  kinds: HA_KINDS,
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const out: Violation[] = [];
    for (const e of haEvidence(objects, mesh)) {
      const podSpec = e.source === "rendered" ? fields(podTemplate(e.workload)?.spec) : e.release.values;
      if (!spreadsOverZones(podSpec)) {
        out.push(
          violation(
            evidenceObject(e),
            "egress gateway replicas are not spread across zones",
            "add values.topologySpreadConstraints with topologyKey topology.kubernetes.io/zone and labelSelector istio: egressgateway",
          ),
        );
      }
    }
    return out;
  },
};
