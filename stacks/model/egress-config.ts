import type { KeyAlgorithm, PodSecurityLevel } from "../../policy/contract";
import type { BreakGlassEntry, BreakGlassState } from "./break-glass";
import type { DecryptedSecret } from "../schema/values/pulumi-secrets";
import type { RateLimitsConfig } from "./rate-limits";
import type { RoutingMode } from "../routing-modes";
import type { Environment } from "../schema/environment";
import type { ValidationAction } from "../schema/guardrails";

/**
 * The validated, baseline-resolved configuration every builder reads. Nothing downstream sees raw
 * config: if a value is here, it has passed the schema and the cross-reference checks.
 */
export interface EgressConfig {
  readonly environment: Environment;
  readonly gateway: GatewayConfig;
  readonly controlPlane: ControlPlaneConfig;
  readonly cluster: ClusterConfig;
  readonly certManager: CertManagerConfig;
  readonly issuers: readonly IssuerConfig[];
  /** The registry: the services the stack declares. */
  readonly services: readonly ExternalServiceConfig[];
  /** Services active break-glass `grant` entries register for their destinations, apart from the registry. */
  readonly temporaryServices: readonly ExternalServiceConfig[];
  readonly tenants: readonly TenantConfig[];
  /** Who may reach what, derived once at load (relations/grants.ts): builders, reports and checks read it. */
  readonly grants: GrantRelation;
  /** Per-tenant egress limits the gateway's Envoy enforces (model/rate-limit-baselines.ts). */
  readonly rateLimits: RateLimitsConfig;
  readonly guardrails: GuardrailsConfig;
  /** Break-glass entries judged at one instant: only the active ones render anything. */
  readonly breakGlass: BreakGlassState;
}

export type SpreadPolicy = "DoNotSchedule" | "ScheduleAnyway" | "off";
export type { Environment, KeyAlgorithm, RoutingMode, ValidationAction };

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
  /** The control plane's revision (`istio.io/rev`); unset: the default revision. */
  readonly revision?: string;
  readonly namespace: string;
  readonly chart: ChartSource;
  readonly trustDomain: string;
  /** The mesh runs Istio CNI: no privileged istio-init, so tenant namespaces enforce Pod Security. Default false. */
  readonly cni?: boolean;
  /** The injector's proxy image; default `defaultProxyImage(chart.version)`. */
  readonly proxyImage?: string;
}

export interface ClusterConfig {
  /** The cluster's DNS domain; `mesh-egress lint --cluster-domain` takes the same value. */
  readonly domain: string;
  /** The cluster DNS: its pods (namespace, labels) and any node-local cache addresses (host network, by ipBlock). */
  readonly dns: {
    readonly namespace: string;
    readonly podLabels: Readonly<Record<string, string>>;
    readonly nodeLocalAddresses: readonly string[];
  };
  /** Namespaces whose pods have open egress (e.g. a CI runner's): tenants must not reach them, or they relay. */
  readonly openEgressNamespaces: readonly string[];
  /** The cluster's own pod, service and node ranges outside the private ones (EKS IPv6 pods are public `2600:`). */
  readonly internalCidrs: readonly string[];
  /** The cluster-wide egress lock (an AdminNetworkPolicy); `enabled: false` leaves non-tenant namespaces unlocked. */
  readonly lockAllNamespaces: LockAllNamespacesConfig;
}

export interface LockAllNamespacesConfig {
  readonly enabled: boolean;
  /** Namespaces besides the gateway's that keep direct internet egress. */
  readonly exempt: readonly string[];
  /** AdminNetworkPolicy priority (0-1000, lower first). */
  readonly priority: number;
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
  readonly clientCertificate?: ClientCertificateConfig;
}

/** A private key request, size resolved (ECDSA 256, RSA 2048 unless set; Ed25519 has none). */
export interface PrivateKeySpec {
  readonly algorithm: KeyAlgorithm;
  readonly size?: number;
}

export interface CertificateSubject {
  readonly organizations?: readonly string[];
  readonly organizationalUnits?: readonly string[];
  readonly countries?: readonly string[];
  readonly localities?: readonly string[];
  readonly provinces?: readonly string[];
  readonly streetAddresses?: readonly string[];
  readonly postalCodes?: readonly string[];
  readonly serialNumber?: string;
}

export interface ClientCertificateConfig {
  /** Name of the issuer (an entry of `issuers`) that signs it. */
  readonly issuer: string;
  readonly commonName?: string;
  readonly dnsNames?: readonly string[];
  readonly uris?: readonly string[];
  readonly subject?: CertificateSubject;
  readonly privateKey: PrivateKeySpec;
  /** Go durations, as cert-manager reads them. */
  readonly duration: string;
  readonly renewBefore: string;
}

/**
 * A secret value from structured config: `encrypted` in a stack file (only `pulumi up` decrypts it),
 * `decrypted` under `pulumi up`, `plaintext` when someone typed it in the clear (refused; the text
 * itself is not kept).
 */
export type SecretConfigValue =
  | { readonly state: "encrypted" }
  | { readonly state: "decrypted"; readonly value: DecryptedSecret }
  | { readonly state: "plaintext" };

export type IssuerKind = "Issuer" | "ClusterIssuer";

export interface CaIssuerConfig {
  /** An existing Secret with tls.crt and tls.key. */
  readonly secretName?: string;
  /** Or: the CA certificate (PEM) ... */
  readonly certificate?: string;
  /** ... and its private key, a Pulumi secret. */
  readonly privateKey?: SecretConfigValue;
}

export interface SelfSignedBootstrapConfig {
  readonly commonName?: string;
  readonly privateKey: PrivateKeySpec;
  readonly duration: string;
  readonly renewBefore: string;
}

export interface VaultIssuerConfig {
  readonly server: string;
  readonly path: string;
  readonly namespace?: string;
  readonly caBundle?: string;
  readonly auth: {
    readonly kubernetes: {
      readonly role: string;
      readonly mountPath: string;
      readonly serviceAccountRef?: { readonly name: string; readonly audiences?: readonly string[] };
    };
  };
}

/** One root of trust for client certificates; exactly one of ca, selfSigned, vault. */
export interface IssuerConfig {
  readonly name: string;
  readonly kind: IssuerKind;
  readonly ca?: CaIssuerConfig;
  readonly selfSigned?: SelfSignedBootstrapConfig;
  readonly vault?: VaultIssuerConfig;
}

export interface CertManagerComponentSizing {
  readonly replicas: number;
  readonly resources: { readonly requests: ResourceList; readonly limits: ResourceList };
}

export interface CertManagerConfig {
  /** Install cert-manager here, or use the one already in the cluster. */
  readonly install: boolean;
  readonly namespace: string;
  /** Helm release name; fixed, so the controller's ServiceAccount is `cert-manager`. */
  readonly releaseName: string;
  readonly chart: ChartSource;
  /** The controller's ServiceAccount, granted token requests for Vault issuers. */
  readonly serviceAccountName: string;
  readonly controller: CertManagerComponentSizing;
  readonly webhook: CertManagerComponentSizing;
  readonly cainjector: CertManagerComponentSizing;
}

export interface ExternalServiceConfig {
  readonly name: string;
  readonly description?: string;
  readonly hosts: readonly string[];
  readonly port: number;
  readonly mode: RoutingMode;
  readonly tls?: ServiceTlsConfig;
  /** Public addresses the gateway connects to instead of resolving the hosts (normalised, no prefix). */
  readonly pinnedAddresses?: readonly string[];
  /** Set on a temporary service a break-glass `grant` registers for its destination: the entry's id. */
  readonly breakGlass?: string;
}

export interface TenantConfig {
  readonly namespace: string;
  readonly description?: string;
  readonly allow: readonly string[];
  /** The Pod Security Standard its namespace enforces when the mesh runs Istio CNI; default baseline. */
  readonly podSecurity?: PodSecurityLevel;
}

/** Admission guardrails: ValidatingAdmissionPolicies that refuse weakenings made outside the stack. */
export interface GuardrailsConfig {
  readonly enabled: boolean;
  /** The bindings' validationActions; tier baseline: prod `[Deny]`, dev `[Warn, Audit]`. */
  readonly validationActions: readonly ValidationAction[];
  /** Usernames or groups whose break-glass `direct` NetworkPolicies the guardrails admit; none: nobody's. */
  readonly breakGlassRequesters: readonly string[];
  /** Who deploys the platform: only they (and system:masters) may change or delete its objects in tenant namespaces. */
  readonly platformIdentities: readonly string[];
}

/** Why a tenant may reach a service. */
export type GrantSource =
  /** The tenant's allow list names the service. */
  | { readonly kind: "allow" }
  /** A `grant` entry: through the gateway, with an ALLOW rule of its own, until the entry expires. */
  | { readonly kind: "break-glass-grant"; readonly entry: BreakGlassEntry }
  /** A `direct` entry: the tenant's traffic to a service it is allowed goes around the gateway. */
  | { readonly kind: "break-glass-direct"; readonly entry: BreakGlassEntry };

/** One tenant × service × source. */
export interface Grant {
  readonly tenant: string;
  readonly service: ExternalServiceConfig;
  readonly source: GrantSource;
}

/** Every grant of a stack, computed once at load; declared tenants and services only. */
export interface GrantRelation {
  /**
   * In force at the evaluation instant: allow rows (tenant order, then allow-list order), then the active
   * `grant` entries' rows (entry order), then the active `direct` entries' (entry, tenant, allow-list order).
   */
  readonly inForce: readonly Grant[];
  /** Rows of `grant` entries that have expired: they render nothing; the audit judges past traffic by them. */
  readonly expired: readonly Grant[];
  /** `inForce` by tenant namespace, and by service name, each in `inForce` order. */
  readonly byTenant: ReadonlyMap<string, readonly Grant[]>;
  readonly byService: ReadonlyMap<string, readonly Grant[]>;
}
