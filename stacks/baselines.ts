import type { ParsedGateway } from "./schema";
import type { Environment, GatewayConfig } from "./egress-config";

type GatewayBaseline = Pick<
  GatewayConfig,
  "replicas" | "targetCpuUtilizationPercentage" | "resources" | "podDisruptionBudget" | "spread"
>;

/**
 * What each tier gets when the stack says nothing. Prod is sized to survive a zone loss and a node
 * drain at once; dev is sized to be cheap. A stack's own values override these field by field.
 */
export const gatewayBaselines: Readonly<Record<Environment, GatewayBaseline>> = {
  dev: {
    replicas: { min: 1, max: 3 },
    targetCpuUtilizationPercentage: 80,
    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } },
    // The chart refuses a PodDisruptionBudget when a single replica is allowed.
    podDisruptionBudget: false,
    spread: { zone: "ScheduleAnyway", node: "ScheduleAnyway" },
  },
  prod: {
    replicas: { min: 3, max: 10 },
    targetCpuUtilizationPercentage: 70,
    resources: { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "2", memory: "1Gi" } },
    podDisruptionBudget: { maxUnavailable: 1 },
    spread: { zone: "DoNotSchedule", node: "ScheduleAnyway" },
  },
};

/** Applies the tier baseline under the stack's own gateway values. */
export function resolveGateway(environment: Environment, parsed: ParsedGateway): GatewayConfig {
  const baseline = gatewayBaselines[environment];
  return {
    namespace: parsed.namespace,
    releaseName: parsed.releaseName,
    chart: parsed.chart,
    replicas: {
      min: parsed.replicas?.min ?? baseline.replicas.min,
      max: parsed.replicas?.max ?? Math.max(baseline.replicas.max, parsed.replicas?.min ?? 0),
    },
    targetCpuUtilizationPercentage:
      parsed.targetCpuUtilizationPercentage ?? baseline.targetCpuUtilizationPercentage,
    resources: {
      requests: { ...baseline.resources.requests, ...parsed.resources?.requests },
      limits: { ...baseline.resources.limits, ...parsed.resources?.limits },
    },
    podDisruptionBudget: parsed.podDisruptionBudget ?? baseline.podDisruptionBudget,
    spread: { ...baseline.spread, ...parsed.spread },
    nodeSelector: parsed.nodeSelector ?? {},
    tolerations: parsed.tolerations ?? [],
    scrapeFromNamespaces: parsed.scrapeFromNamespaces,
  };
}
