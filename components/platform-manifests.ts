import type { EgressConfig, ExternalServiceConfig, TenantConfig } from "../stacks/egress-config";
import { buildControlPlaneManifests, ControlPlaneManifests } from "./control-plane";
import { buildEgressGatewayManifests, EgressGatewayManifests } from "./egress-gateway";
import { buildExternalServiceManifests } from "./external-service";
import type { HelmChartSpec, KubernetesObject } from "./kubernetes-object";
import { buildTenantManifests, TenantManifests } from "./tenant";

/** Everything the platform deploys, grouped by the component that owns it. */
export interface PlatformManifests {
  readonly controlPlane?: ControlPlaneManifests;
  readonly gateway: EgressGatewayManifests;
  readonly services: readonly {
    readonly service: ExternalServiceConfig;
    readonly objects: KubernetesObject[];
  }[];
  readonly tenants: readonly { readonly tenant: TenantConfig; readonly manifests: TenantManifests }[];
}

/** Builds every component's manifests from one validated config: the single source for up, render and lint. */
export function buildPlatformManifests(config: EgressConfig): PlatformManifests {
  return {
    controlPlane: config.controlPlane.install ? buildControlPlaneManifests(config) : undefined,
    gateway: buildEgressGatewayManifests(config),
    services: config.services.map((service) => ({
      service,
      objects: buildExternalServiceManifests(service, config),
    })),
    tenants: config.tenants.map((tenant) => ({ tenant, manifests: buildTenantManifests(tenant, config) })),
  };
}

export type Manifest = { readonly object: KubernetesObject } | { readonly chart: HelmChartSpec };

/**
 * The order `pulumi up` enforces with dependsOn, flattened: namespaces, then charts (CRDs, istiod,
 * the gateway), then gateway-wide objects, services, and finally the tenants' locks.
 */
export function manifestsInApplyOrder(platform: PlatformManifests): Manifest[] {
  const objects = (list: readonly KubernetesObject[]) => list.map((object) => ({ object }));
  return [
    ...(platform.controlPlane ? [{ object: platform.controlPlane.namespace }] : []),
    { object: platform.gateway.namespace },
    ...platform.tenants.map(({ manifests }) => ({ object: manifests.namespace })),
    ...(platform.controlPlane?.charts ?? []).map((chart) => ({ chart })),
    { chart: platform.gateway.chart },
    ...objects(platform.gateway.objects),
    ...platform.services.flatMap(({ objects: list }) => objects(list)),
    ...platform.tenants.flatMap(({ manifests }) => objects(manifests.objects)),
  ];
}
