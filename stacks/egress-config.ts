import type { RoutingMode } from "./schema";

/**
 * The validated, baseline-resolved configuration every builder reads. Nothing downstream sees raw
 * config: if a value is here, it has passed the schema and the cross-reference checks.
 */
export interface EgressConfig {
  readonly environment: Environment;
  readonly gateway: GatewayConfig;
  readonly controlPlane: ControlPlaneConfig;
  readonly cluster: ClusterConfig;
  readonly services: readonly ExternalServiceConfig[];
  readonly tenants: readonly TenantConfig[];
}

export type Environment = "dev" | "prod";
export type SpreadPolicy = "DoNotSchedule" | "ScheduleAnyway" | "off";
export type { RoutingMode };

export interface ChartSource {
  readonly version: string;
  readonly repository: string;
}

export interface ResourceList {
  readonly cpu?: string | number;
  readonly memory?: string | number;
}

export interface Toleration {
  readonly key?: string;
  readonly operator?: "Exists" | "Equal";
  readonly value?: string;
  readonly effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
  readonly tolerationSeconds?: number;
}

export type DisruptionBudget =
  { readonly minAvailable: number | string } | { readonly maxUnavailable: number | string } | false;

export interface GatewayConfig {
  readonly namespace: string;
  readonly releaseName: string;
  readonly chart: ChartSource;
  readonly replicas: { readonly min: number; readonly max: number };
  readonly targetCpuUtilizationPercentage: number;
  readonly resources: { readonly requests: ResourceList; readonly limits: ResourceList };
  readonly podDisruptionBudget: DisruptionBudget;
  readonly spread: { readonly zone: SpreadPolicy; readonly node: SpreadPolicy };
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly Toleration[];
  readonly scrapeFromNamespaces: readonly string[];
}

export interface ControlPlaneConfig {
  readonly install: boolean;
  readonly namespace: string;
  readonly chart: ChartSource;
  readonly trustDomain: string;
}

export interface ClusterConfig {
  readonly dns: { readonly namespace: string; readonly podLabels: Readonly<Record<string, string>> };
}

export type CaBundleSource =
  | { readonly pem: string }
  | { readonly secretRef: { readonly name: string; readonly key: string } }
  | { readonly configMapRef: { readonly name: string; readonly key: string } };

export interface ServiceTlsConfig {
  readonly sni?: string;
  readonly subjectAltNames?: readonly string[];
  readonly caBundle?: CaBundleSource;
  readonly credentialName?: string;
}

export interface ExternalServiceConfig {
  readonly name: string;
  readonly description?: string;
  readonly hosts: readonly string[];
  readonly port: number;
  readonly mode: RoutingMode;
  readonly tls?: ServiceTlsConfig;
  readonly allowedCidrs?: readonly string[];
}

export interface TenantConfig {
  readonly namespace: string;
  readonly description?: string;
  readonly allow: readonly string[];
}
