import type { Environment } from "../schema/environment";
import type { ParsedRateLimits } from "../schema/rate-limits";
import type { TenantConfig } from "./egress-config";
import type { ConnectionLimit, RateLimitsConfig, RequestLimit, TenantLimitsConfig } from "./rate-limits";

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
