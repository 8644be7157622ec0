import type { EgressConfig, ExternalServiceConfig, TenantConfig } from "../stacks/model/egress-config";
import { routedServices } from "../stacks/relations/temporary-services";
import { admissionGuardrailSettings, buildAdmissionGuardrailManifests } from "./admission-guardrails";
import { auditRecordGroup } from "./audit-records";
import { buildClusterEgressLockManifests } from "./cluster-egress-lock";
import {
  breakGlassRuleGroups,
  buildBreakGlassManifests,
  BreakGlassManifests,
  markedAsBreakGlass,
} from "./break-glass";
import { buildCertManagerManifests, CertManagerManifests } from "./cert-manager";
import { buildControlPlaneManifests, ControlPlaneManifests } from "./control-plane";
import { buildEgressGatewayManifests, EgressGatewayManifests } from "./egress-gateway";
import { buildExternalServiceManifests } from "./external-service";
import { APPLY_ORDER, ApplyPart } from "./apply-order";
import type { HelmChartSpec, KubernetesObject } from "./kubernetes-object";
import {
  buildObservabilityManifests,
  egressRuleGroups,
  ObservabilityManifests,
  observabilityInputs,
} from "./observability";
import {
  buildOriginationCertificateManifests,
  OriginationCertificateManifests,
  originationObjectsInApplyOrder,
} from "./origination-certificates";
import { buildRateLimitManifests, RateLimitManifests } from "./rate-limits";
import { buildTenantManifests, TenantManifests } from "./tenant";

/** Everything the platform deploys, grouped by the component that owns it. */
export interface PlatformManifests {
  readonly controlPlane?: ControlPlaneManifests;
  readonly certManager?: CertManagerManifests;
  readonly gateway: EgressGatewayManifests;
  readonly observability: ObservabilityManifests;
  readonly certificates: OriginationCertificateManifests;
  readonly services: readonly {
    readonly service: ExternalServiceConfig;
    readonly objects: KubernetesObject[];
  }[];
  readonly tenants: readonly { readonly tenant: TenantConfig; readonly manifests: TenantManifests }[];
  readonly rateLimits: RateLimitManifests;
  /** Admission policies and bindings; absent when the stack turns guardrails off. */
  readonly guardrails?: KubernetesObject[];
  /** The cluster-wide egress lock (an AdminNetworkPolicy); empty unless `cluster.lockAllNamespaces`. */
  readonly clusterEgressLock: KubernetesObject[];
  /** The objects of each active break-glass entry; expired entries add none. */
  readonly breakGlass: BreakGlassManifests;
}

/** Builds every component's manifests from one validated config: the single source for up, render and lint. */
export function buildPlatformManifests(config: EgressConfig): PlatformManifests {
  const inputs = observabilityInputs(config);
  return {
    controlPlane: config.controlPlane.install ? buildControlPlaneManifests(config) : undefined,
    certManager: config.certManager.install ? buildCertManagerManifests(config) : undefined,
    gateway: buildEgressGatewayManifests(config),
    observability: buildObservabilityManifests(inputs, [
      ...egressRuleGroups(inputs),
      auditRecordGroup(inputs.gateway),
      ...breakGlassRuleGroups(config.breakGlass.active),
    ]),
    certificates: buildOriginationCertificateManifests(config),
    services: routedServices(config).map((service) => {
      const objects = buildExternalServiceManifests(service, config);
      // A grant's own destination: registered only while the entry lasts, and labelled as its.
      const entry = config.breakGlass.active.find((e) => e.id === service.breakGlass);
      return { service, objects: entry ? markedAsBreakGlass(objects, entry) : objects };
    }),
    tenants: config.tenants.map((tenant) => ({ tenant, manifests: buildTenantManifests(tenant, config) })),
    rateLimits: buildRateLimitManifests(config),
    guardrails: config.guardrails.enabled
      ? buildAdmissionGuardrailManifests(admissionGuardrailSettings(config))
      : undefined,
    clusterEgressLock: buildClusterEgressLockManifests(config),
    breakGlass: buildBreakGlassManifests(config),
  };
}

/** A chart and the charts it waits for, as `pulumi up` orders them with dependsOn. */
export interface ChartManifest {
  readonly chart: HelmChartSpec;
  readonly dependsOn: readonly HelmChartSpec[];
}

export type Manifest = { readonly object: KubernetesObject } | ChartManifest;

/** What a part contributes to each phase of the render: namespaces first, then charts, then objects. */
interface PartManifests {
  readonly namespaces: readonly KubernetesObject[];
  /** In the order they install; the last is the one later parts wait for. */
  readonly charts: readonly HelmChartSpec[];
  readonly objects: readonly KubernetesObject[];
}

function partManifests(platform: PlatformManifests, part: ApplyPart): PartManifests {
  const none: PartManifests = { namespaces: [], charts: [], objects: [] };
  switch (part) {
    case "controlPlane":
      return platform.controlPlane
        ? { namespaces: [platform.controlPlane.namespace], charts: platform.controlPlane.charts, objects: [] }
        : none;
    case "certManager":
      return platform.certManager
        ? { namespaces: [platform.certManager.namespace], charts: [platform.certManager.chart], objects: [] }
        : none;
    case "guardrails":
      return { ...none, objects: platform.guardrails ?? [] };
    case "gateway":
      return {
        namespaces: [platform.gateway.namespace],
        charts: [platform.gateway.chart],
        objects: platform.gateway.objects,
      };
    case "observability":
      return { ...none, objects: platform.observability.objects };
    case "certificates":
      return { ...none, objects: originationObjectsInApplyOrder(platform.certificates) };
    case "services":
      return { ...none, objects: platform.services.flatMap(({ objects }) => objects) };
    case "rateLimits":
      return { ...none, objects: platform.rateLimits.objects };
    case "tenants":
      return {
        namespaces: platform.tenants.map(({ manifests }) => manifests.namespace),
        charts: [],
        objects: platform.tenants.flatMap(({ manifests }) => manifests.objects),
      };
    case "breakGlass":
      return { ...none, objects: platform.breakGlass.entries.flatMap(({ objects }) => objects) };
    case "clusterEgressLock":
      return { ...none, objects: platform.clusterEgressLock };
  }
}

/**
 * The platform flattened in `APPLY_ORDER`, as `kubectl apply` or Flux needs it: every part's namespaces,
 * then its charts (a part's charts chained, its first waiting on the last chart of each part it is
 * `after`), then its objects.
 */
export function manifestsInApplyOrder(platform: PlatformManifests): Manifest[] {
  const parts = new Map(APPLY_ORDER.map(({ part }) => [part, partManifests(platform, part)]));
  const steps = APPLY_ORDER.map((step) => ({ step, manifests: parts.get(step.part)! }));
  const lastChartOf = (part: ApplyPart) => parts.get(part)!.charts.slice(-1);
  return [
    ...steps.flatMap(({ manifests }) => manifests.namespaces.map((object) => ({ object }))),
    ...steps.flatMap(({ step, manifests }) =>
      manifests.charts.map((chart, i) => ({
        chart,
        dependsOn: i > 0 ? [manifests.charts[i - 1]!] : step.after.flatMap(lastChartOf),
      })),
    ),
    ...steps.flatMap(({ manifests }) => manifests.objects.map((object) => ({ object }))),
  ];
}
