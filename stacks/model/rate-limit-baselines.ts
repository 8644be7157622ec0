import type { Environment, TenantConfig } from "./egress-config";
import type {
  ConnectionLimit,
  ParsedGlobalLimiter,
  ParsedRateLimits,
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

interface RateLimitBaseline {
  readonly backstop: RateLimitsConfig["backstop"];
  /** Limits a tenant gets when the stack names none; prod has none: every tenant must be declared. */
  readonly tenantDefault?: { readonly http: RequestLimit; readonly tls: ConnectionLimit };
}

/**
 * Dev is generous (a tenant there is rarely the bottleneck, and limits should not surprise anyone);
 * prod requires each tenant's limit and keeps a backstop sized for a few replicas' worth of headroom.
 */
export const rateLimitBaselines: Readonly<Record<Environment, RateLimitBaseline>> = {
  dev: {
    backstop: {
      http: { requests: 5000, per: "second", burst: 10000 },
      tls: { connections: 500, per: "second", burst: 1000, maxConcurrent: 5000 },
    },
    tenantDefault: {
      http: { requests: 1000, per: "second", burst: 2000 },
      tls: { connections: 100, per: "second", burst: 200, maxConcurrent: 1000 },
    },
  },
  prod: {
    backstop: {
      http: { requests: 2000, per: "second", burst: 4000 },
      tls: { connections: 200, per: "second", burst: 400, maxConcurrent: 2000 },
    },
  },
};

/** Applies the tier baseline under the stack's own rate limits. */
export function resolveRateLimits(
  environment: Environment,
  parsed: ParsedRateLimits,
  tenants: readonly TenantConfig[],
): RateLimitsConfig {
  const baseline = rateLimitBaselines[environment];
  const resolved: Record<string, TenantLimitsConfig> = {};
  for (const [namespace, limits] of Object.entries(parsed.tenants)) {
    resolved[namespace] = limits.unlimited
      ? { unlimited: true, reason: limits.reason ?? "" }
      : {
          unlimited: false,
          http: limits.http ?? baseline.tenantDefault?.http,
          tls: limits.tls ?? baseline.tenantDefault?.tls,
          services: limits.services,
        };
  }
  if (baseline.tenantDefault) {
    for (const tenant of tenants) {
      resolved[tenant.namespace] ??= { unlimited: false, ...baseline.tenantDefault, services: {} };
    }
  }
  return {
    replicaSharing: parsed.replicaSharing,
    backstop: {
      http: parsed.gateway?.http ?? baseline.backstop.http,
      tls: parsed.gateway?.tls ?? baseline.backstop.tls,
    },
    tenants: resolved,
    ...(parsed.global ? { global: parsed.global } : {}),
  };
}
