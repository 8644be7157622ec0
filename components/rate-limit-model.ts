import type { EgressConfig, ExternalServiceConfig } from "../stacks/model/egress-config";
import type { ConnectionLimit, RequestLimit, TenantLimitsConfig } from "../stacks/model/rate-limits";
import { RateUnit, UNIT_SECONDS } from "../stacks/schema/rate-limits";
import { allowedServices, allowedTenants, grantedServices, grantedTenants } from "../stacks/relations/grants";
import { routedServices } from "../stacks/relations/temporary-services";
import { originatesTls } from "../stacks/routing-modes";
import { chainTenants, hasTenantChains } from "./tenant-sni";

/**
 * Which limit applies where, read from the validated config: the builders of the local filters, the
 * global limiter and the report all take their numbers from here. Numbers are fleet-wide.
 */

/** One tenant's HTTP limits: its default, and overrides for services it is allowed. */
export interface TenantHttpLimits {
  readonly tenant: string;
  readonly http?: RequestLimit;
  readonly services: readonly { readonly service: ExternalServiceConfig; readonly http: RequestLimit }[];
}

function limitsOf(config: EgressConfig, tenant: string): TenantLimitsConfig | undefined {
  return config.rateLimits.tenants[tenant];
}

/** Services the gateway sees as HTTP (it terminates mesh mTLS and originates TLS itself). */
export function httpServices(config: EgressConfig): ExternalServiceConfig[] {
  return routedServices(config).filter(originatesTls);
}

/** Services the gateway sees as TLS bytes: only connections can be counted there. */
export function tlsServices(config: EgressConfig): ExternalServiceConfig[] {
  return routedServices(config).filter((s) => !originatesTls(s));
}

/** The HTTP limits of every tenant that has one, in tenant order; unlimited tenants have none. */
export function tenantHttpLimits(config: EgressConfig): TenantHttpLimits[] {
  const out: TenantHttpLimits[] = [];
  for (const tenant of config.tenants) {
    const limits = limitsOf(config, tenant.namespace);
    if (!limits || limits.unlimited) continue;
    // Active break-glass grants are limited as allowed services are.
    const reachable = new Set(
      [...allowedServices(tenant, config), ...grantedServices(tenant, config)].map((s) => s.name),
    );
    const allowed = httpServices(config).filter((s) => reachable.has(s.name));
    if (allowed.length === 0) continue;
    const services = allowed.flatMap((service) => {
      const http = limits.services[service.name]?.http;
      return http ? [{ service, http }] : [];
    });
    if (!limits.http && services.length === 0) continue;
    out.push({ tenant: tenant.namespace, services, ...(limits.http ? { http: limits.http } : {}) });
  }
  return out;
}

/** Why a TLS service's connection limit is what it is. */
export type ConnectionLimitSource =
  | { readonly kind: "tenants"; readonly tenants: readonly string[] }
  | { readonly kind: "backstop"; readonly because: string };

export interface ServiceConnectionLimit {
  readonly service: ExternalServiceConfig;
  /** Fleet-wide: every tenant allowed to use the service shares it (Envoy has no per-source key at L4). */
  readonly limit: ConnectionLimit;
  /** Connections one client pod may hold to the gateway for this service (the DestinationRule subset). */
  readonly perClientPod: number;
  readonly source: ConnectionLimitSource;
}

const perSecond = (count: number, per: RateUnit): number => count / UNIT_SECONDS[per];

/**
 * A TLS service's connection limit: the sum of the limits of the tenants allowed to use it (each
 * tenant's override for the service, else its default), capped by the backstop; the backstop alone
 * when any of those tenants is unlimited. Undefined when no tenant may use the service.
 */
export function serviceConnectionLimit(
  service: ExternalServiceConfig,
  config: EgressConfig,
): ServiceConnectionLimit | undefined {
  const tenants = [...allowedTenants(service, config), ...grantedTenants(service, config)];
  if (tenants.length === 0) return undefined;
  const backstop = config.rateLimits.backstop.tls;
  const backstopConcurrent = backstop.maxConcurrent ?? Number.MAX_SAFE_INTEGER;
  const limits: ConnectionLimit[] = [];
  for (const tenant of tenants) {
    const own = limitsOf(config, tenant);
    const limit = own && !own.unlimited ? (own.services[service.name]?.tls ?? own.tls) : undefined;
    if (!limit) {
      const because = own?.unlimited ? `tenant ${tenant} is unlimited` : `tenant ${tenant} has no TLS limit`;
      return {
        service,
        limit: backstop,
        perClientPod: backstopConcurrent,
        source: { kind: "backstop", because },
      };
    }
    limits.push(limit);
  }
  // The sum, in the longest interval any tenant named, so every count stays an integer.
  const per = limits.reduce<RateUnit>(
    (u, l) => (UNIT_SECONDS[l.per] > UNIT_SECONDS[u] ? l.per : u),
    "second",
  );
  const scale = (l: ConnectionLimit) => UNIT_SECONDS[per] / UNIT_SECONDS[l.per];
  const summed: ConnectionLimit = {
    connections: limits.reduce((n, l) => n + l.connections * scale(l), 0),
    per,
    burst: limits.reduce((n, l) => n + (l.burst ?? l.connections) * scale(l), 0),
    maxConcurrent: limits.reduce((n, l) => n + (l.maxConcurrent ?? backstopConcurrent), 0),
  };
  const capped = perSecond(summed.connections, per) > perSecond(backstop.connections, backstop.per);
  const limit: ConnectionLimit = capped
    ? { ...backstop, maxConcurrent: Math.min(summed.maxConcurrent!, backstopConcurrent) }
    : { ...summed, maxConcurrent: Math.min(summed.maxConcurrent!, backstopConcurrent) };
  return {
    service,
    limit,
    perClientPod: Math.min(
      Math.max(...limits.map((l) => l.maxConcurrent ?? backstopConcurrent)),
      backstopConcurrent,
    ),
    source: capped
      ? { kind: "backstop", because: `the tenants' sum exceeds the gateway backstop` }
      : { kind: "tenants", tenants },
  };
}

/** Every TLS service some tenant may use without chains of its own (plain passthrough), with its shared limit. */
export function serviceConnectionLimits(config: EgressConfig): ServiceConnectionLimit[] {
  return tlsServices(config)
    .filter((service) => !hasTenantChains(service))
    .map((service) => serviceConnectionLimit(service, config))
    .filter((l): l is ServiceConnectionLimit => l !== undefined);
}

/** One tenant's connection limit on a service where it has its own gateway chains. */
export interface TenantConnectionLimit {
  readonly service: ExternalServiceConfig;
  readonly tenant: string;
  /** Fleet-wide, for this tenant alone. */
  readonly limit: ConnectionLimit;
  /** Why the backstop applies instead of the tenant's own limit; undefined when it is the tenant's. */
  readonly backstopBecause?: string;
}

/**
 * A tenant's limit on a service with tenant chains: its override for the service, else its default, capped by
 * the backstop; the backstop alone when the tenant is unlimited or declares no TLS limit.
 */
export function tenantConnectionLimit(
  service: ExternalServiceConfig,
  tenant: string,
  config: EgressConfig,
): TenantConnectionLimit {
  const backstop = config.rateLimits.backstop.tls;
  const own = limitsOf(config, tenant);
  const limit = own && !own.unlimited ? (own.services[service.name]?.tls ?? own.tls) : undefined;
  if (!limit) {
    const because = own?.unlimited ? `tenant ${tenant} is unlimited` : `tenant ${tenant} has no TLS limit`;
    return { service, tenant, limit: backstop, backstopBecause: because };
  }
  const backstopConcurrent = backstop.maxConcurrent ?? Number.MAX_SAFE_INTEGER;
  const maxConcurrent = Math.min(limit.maxConcurrent ?? backstopConcurrent, backstopConcurrent);
  if (perSecond(limit.connections, limit.per) > perSecond(backstop.connections, backstop.per)) {
    return {
      service,
      tenant,
      limit: { ...backstop, maxConcurrent },
      backstopBecause: `tenant ${tenant}'s limit exceeds the gateway backstop`,
    };
  }
  return { service, tenant, limit: { ...limit, maxConcurrent } };
}

/** Every (service, tenant) chain's connection limit, for services with tenant chains. */
export function tenantConnectionLimits(config: EgressConfig): TenantConnectionLimit[] {
  return tlsServices(config).flatMap((service) =>
    chainTenants(service, config).map((tenant) => tenantConnectionLimit(service, tenant, config)),
  );
}

/**
 * The connection pool of a TLS service's subset in the gateway's DestinationRule. Sidecars apply it to
 * their connections to the gateway, so it caps what one client pod holds open for the service.
 */
export function subsetConnectionPool(
  service: ExternalServiceConfig,
  config: EgressConfig,
  tenant?: string,
): Record<string, unknown> | undefined {
  // HTTP services are limited per request at the gateway; only TLS services are limited by connections.
  if (originatesTls(service)) return undefined;
  if (tenant !== undefined) {
    const { maxConcurrent } = tenantConnectionLimit(service, tenant, config).limit;
    return maxConcurrent === undefined || maxConcurrent >= Number.MAX_SAFE_INTEGER
      ? undefined
      : { tcp: { maxConnections: maxConcurrent } };
  }
  const limit = serviceConnectionLimit(service, config);
  if (!limit || limit.perClientPod >= Number.MAX_SAFE_INTEGER) return undefined;
  return { tcp: { maxConnections: limit.perClientPod } };
}

/** A gateway subset with the connection pool its service's limit gives (unchanged without one). */
export function withConnectionPool(
  subset: Record<string, unknown>,
  connectionPool: Record<string, unknown> | undefined,
): Record<string, unknown> {
  if (!connectionPool) return subset;
  const trafficPolicy = (subset.trafficPolicy ?? {}) as Record<string, unknown>;
  return { ...subset, trafficPolicy: { connectionPool, ...trafficPolicy } };
}
