import type { ParsedCertManager } from "../schema/cert-manager";
import type { ParsedGateway } from "../schema/gateway";
import type { ParsedGuardrails } from "../schema/guardrails";
import type {
  CertManagerComponentSizing,
  CertManagerConfig,
  Environment,
  GatewayConfig,
  GuardrailsConfig,
  ValidationAction,
} from "./egress-config";

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

type CertManagerComponent = "controller" | "webhook" | "cainjector";

/**
 * cert-manager per tier. Prod runs two of each (leader election keeps one controller active; two
 * webhooks keep Certificate admission up through a node drain); dev runs one of each. Memory is
 * limited, CPU is not: the controller bursts on resync and throttling it only delays renewals.
 */
export const certManagerBaselines: Readonly<
  Record<Environment, Readonly<Record<CertManagerComponent, CertManagerComponentSizing>>>
> = {
  dev: {
    controller: {
      replicas: 1,
      resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "256Mi" } },
    },
    webhook: {
      replicas: 1,
      resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
    },
    cainjector: {
      replicas: 1,
      resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "256Mi" } },
    },
  },
  prod: {
    controller: {
      replicas: 2,
      resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
    },
    webhook: {
      replicas: 2,
      resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
    },
    cainjector: {
      replicas: 2,
      resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } },
    },
  },
};

/** The Helm release name of an installed cert-manager; its controller's ServiceAccount carries the same name. */
export const CERT_MANAGER_RELEASE = "cert-manager";

/** Applies the tier baseline under the stack's own cert-manager values. */
export function resolveCertManager(environment: Environment, parsed: ParsedCertManager): CertManagerConfig {
  const baseline = certManagerBaselines[environment];
  const sizing = (part: CertManagerComponent): CertManagerComponentSizing => ({
    replicas: parsed[part]?.replicas ?? baseline[part].replicas,
    resources: {
      requests: { ...baseline[part].resources.requests, ...parsed[part]?.resources?.requests },
      limits: { ...baseline[part].resources.limits, ...parsed[part]?.resources?.limits },
    },
  });
  return {
    install: parsed.install,
    namespace: parsed.namespace,
    releaseName: CERT_MANAGER_RELEASE,
    chart: parsed.chart,
    serviceAccountName: parsed.serviceAccountName ?? CERT_MANAGER_RELEASE,
    controller: sizing("controller"),
    webhook: sizing("webhook"),
    cainjector: sizing("cainjector"),
  };
}

/** Guardrails per tier: prod refuses weakenings; dev warns the author and records them in the audit log. */
export const guardrailActionBaselines: Readonly<Record<Environment, readonly ValidationAction[]>> = {
  dev: ["Warn", "Audit"],
  prod: ["Deny"],
};

/** Applies the tier baseline under the stack's own guardrail values. */
export function resolveGuardrails(environment: Environment, parsed: ParsedGuardrails): GuardrailsConfig {
  return {
    enabled: parsed.enabled,
    validationActions: parsed.validationActions ?? guardrailActionBaselines[environment],
    breakGlassRequesters: parsed.breakGlassRequesters ?? [],
    platformIdentities: parsed.platformIdentities ?? [],
  };
}
