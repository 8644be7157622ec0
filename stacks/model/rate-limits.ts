import type {
  ConnectionLimit,
  ParsedGlobalLimiter,
  ReplicaSharing,
  RequestLimit,
} from "../schema/rate-limits";

export type { ConnectionLimit, RequestLimit, ReplicaSharing };

/** A limit for one (tenant, service) pair, overriding the tenant's default for that service. */
export interface ServiceLimitConfig {
  readonly http?: RequestLimit;
  readonly tls?: ConnectionLimit;
}

/** One tenant's limits, tier defaults applied. `unlimited` tenants carry only their reason. */
export type TenantLimitsConfig =
  | {
      readonly unlimited: false;
      readonly http?: RequestLimit;
      readonly tls?: ConnectionLimit;
      readonly services: Readonly<Record<string, ServiceLimitConfig>>;
    }
  | { readonly unlimited: true; readonly reason: string };

/** Rate limits as every builder reads them: numbers are fleet-wide, per the interval they name. */
export interface RateLimitsConfig {
  readonly replicaSharing: ReplicaSharing;
  /** The gateway-wide backstop: all HTTP requests together; each TLS service's connections. */
  readonly backstop: { readonly http: RequestLimit; readonly tls: ConnectionLimit };
  /** Keyed by tenant namespace; a tenant missing here has no limit of its own (prod refuses that). */
  readonly tenants: Readonly<Record<string, TenantLimitsConfig>>;
  readonly global?: ParsedGlobalLimiter;
}
