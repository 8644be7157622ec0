import { CHART_KINDS, KIND, KubernetesObject } from "../../contract";
import {
  ChartRelease,
  egressGatewayReleases,
  egressGatewayWorkloads,
  podTemplate,
} from "../../mesh/mesh-object-readers";
import { MeshTopology } from "../../mesh/mesh-topology";
import {
  dig,
  Fields,
  fields,
  fieldsList,
  integer,
  isKind,
  nameOf,
  namespaceOf,
  ofKind,
  selectorMatches,
  specOf,
  stringMap,
  text,
} from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";

/** Gateway integrity, availability: all egress goes through the gateway, so it must not go down. */

export const MIN_GATEWAY_REPLICAS = 3;
const ZONE_KEYS = new Set(["topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone"]);
const HA_KINDS = [...CHART_KINDS, KIND.Deployment];

/**
 * Where the gateway's availability settings can be read: the rendered Deployment (CrossGuard sees the
 * helm.v4.Chart's children at preview), else the chart values of a HelmRelease or Chart.
 */
type HaEvidence =
  | {
      readonly source: "rendered";
      readonly workload: KubernetesObject;
      readonly podLabels: Record<string, string>;
    }
  | { readonly source: "values"; readonly release: ChartRelease };

function haEvidence(objects: readonly KubernetesObject[], mesh: MeshTopology): HaEvidence[] {
  const inPlatform = (ns: string | undefined): boolean =>
    !mesh.gatewayNamespace || ns === mesh.gatewayNamespace;
  const rendered = egressGatewayWorkloads(objects).filter(
    (w) => isKind(w, KIND.Deployment) && inPlatform(namespaceOf(w)),
  );
  if (rendered.length > 0) {
    return rendered.map((workload) => ({
      source: "rendered",
      workload,
      podLabels: stringMap(podTemplate(workload)?.metadata.labels),
    }));
  }
  return egressGatewayReleases(objects)
    .filter((r) => inPlatform(r.namespace) && text(r.values.kind) !== "DaemonSet")
    .map((release) => ({ source: "values", release }));
}

function evidenceObject(e: HaEvidence): KubernetesObject {
  return e.source === "rendered" ? e.workload : e.release.object;
}

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
