import type { EgressConfig, ExternalServiceConfig, TenantConfig } from "../stacks/egress-config";
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
    services: config.services.map((service) => {
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

/**
 * The order `pulumi up` enforces with dependsOn, flattened: namespaces, then charts (CRDs, istiod,
 * cert-manager, the gateway), the admission guardrails, then gateway-wide objects and their monitoring, the origination roots (issuers before the
 * certificates they sign), services, the tenants' locks, the active break-glass exceptions, and finally the
 * cluster-wide lock.
 */
export function manifestsInApplyOrder(platform: PlatformManifests): Manifest[] {
  const objects = (list: readonly KubernetesObject[]) => list.map((object) => ({ object }));
  const controlPlaneCharts = platform.controlPlane?.charts ?? [];
  const lastControlPlaneChart = controlPlaneCharts.slice(-1);
  return [
    ...(platform.controlPlane ? [{ object: platform.controlPlane.namespace }] : []),
    ...(platform.certManager ? [{ object: platform.certManager.namespace }] : []),
    { object: platform.gateway.namespace },
    ...platform.tenants.map(({ manifests }) => ({ object: manifests.namespace })),
    // base before istiod; cert-manager on its own; the gateway after istiod when the stack installs it.
    ...controlPlaneCharts.map((chart, i) => ({ chart, dependsOn: controlPlaneCharts.slice(i - 1, i) })),
    ...(platform.certManager ? [{ chart: platform.certManager.chart, dependsOn: [] }] : []),
    { chart: platform.gateway.chart, dependsOn: lastControlPlaneChart },
    // Admission guardrails need only the API server (and the CRDs base installs): in place before any tenant object.
    ...objects(platform.guardrails ?? []),
    ...objects(platform.gateway.objects),
    ...objects(platform.observability.objects),
    ...objects(originationObjectsInApplyOrder(platform.certificates)),
    ...platform.services.flatMap(({ objects: list }) => objects(list)),
    // After the services: the filters patch the listeners their Gateways create.
    ...objects(platform.rateLimits.objects),
    ...platform.tenants.flatMap(({ manifests }) => objects(manifests.objects)),
    ...platform.breakGlass.entries.flatMap(({ objects: list }) => objects(list)),
    // Last: every other namespace loses the internet only once the gateway path exists.
    ...objects(platform.clusterEgressLock),
  ];
}
