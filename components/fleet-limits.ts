import type { EgressConfig, ExternalServiceConfig } from "../stacks/model/egress-config";
import type { ConnectionLimit } from "../stacks/model/rate-limits";
import { originatesTls } from "../stacks/routing-modes";
import { GATEWAY_HTTP_PORT } from "./gateway-endpoint";
import {
  serviceConnectionLimit,
  ServiceConnectionLimit,
  serviceConnectionLimits,
  tenantConnectionLimit,
  TenantConnectionLimit,
  tenantConnectionLimits,
  tenantHttpLimits,
} from "./rate-limit-model";
import { chainShare, describeSizing, replicaShare } from "./rate-limit-sizing";
import { hasTenantChains } from "./tenant-sni";

/**
 * The rate limits as people read them: the lines the rendered EnvoyFilters carry in their fleet-limits
 * annotation, and the one line that applies to a grant in `report`. Pure: no SDK.
 */

type HttpLimit = { requests: number; per: "second" | "minute" | "hour"; burst?: number };

function httpSize(config: EgressConfig, l: HttpLimit): string {
  return describeSizing(
    { count: l.requests, per: l.per, ...(l.burst ? { burst: l.burst } : {}) },
    config.gateway.replicas,
    config.rateLimits.replicaSharing,
  );
}

const httpBackstopLine = (config: EgressConfig) =>
  `backstop (all requests): ${httpSize(config, config.rateLimits.backstop.http)}`;
const unlimitedLine = (tenant: string) => `tenant ${tenant}: unlimited (backstop only)`;

/**
 * One line per HTTP limit: the backstop, each tenant, each override, with the fleet-wide range it gives. Each
 * holds per replica because the port has one filter chain (gateway-http-server.ts).
 */
export function httpFleetLimits(config: EgressConfig): string[] {
  const size = (l: HttpLimit) => httpSize(config, l);
  return [
    `scope: one bucket per limit per gateway replica, shared by every HTTP host (one filter chain on port ${GATEWAY_HTTP_PORT})`,
    httpBackstopLine(config),
    ...tenantHttpLimits(config).flatMap((t) => [
      ...(t.http ? [`tenant ${t.tenant}: ${size(t.http)}`] : []),
      ...t.services.map((o) => `tenant ${t.tenant} → ${o.service.name}: ${size(o.http)}`),
    ]),
    ...config.tenants
      .filter((t) => config.rateLimits.tenants[t.namespace]?.unlimited)
      .map((t) => unlimitedLine(t.namespace)),
  ];
}

/** What a connection limit admits: new connections per replica, and open ones split over its chains. */
function connectionSizing(limit: ConnectionLimit, chains: number, config: EgressConfig): string {
  const { replicas } = config.gateway;
  const sharing = config.rateLimits.replicaSharing;
  const rate = describeSizing(
    { count: limit.connections, per: limit.per, ...(limit.burst ? { burst: limit.burst } : {}) },
    replicas,
    sharing,
  );
  if (limit.maxConcurrent === undefined) return `new connections ${rate}`;
  const perReplica = replicaShare(limit.maxConcurrent, replicas, sharing);
  const perChain = chainShare(perReplica, chains);
  const open =
    chains === 1
      ? `open connections ${limit.maxConcurrent} fleet-wide → ${perReplica} per replica (one filter chain)`
      : `open connections ${limit.maxConcurrent} fleet-wide → ${perReplica} per replica, split over ${chains} host ` +
        `filter chains (connection_limit counts per chain) → ${perChain} per chain per replica, ${perChain * chains} per replica in all`;
  return `new connections (one bucket per replica shared by its chains: share_key) ${rate}; ${open}`;
}

function tenantTlsLine(
  config: EgressConfig,
  { service, tenant, limit, backstopBecause }: TenantConnectionLimit,
) {
  return (
    `tenant ${tenant} → service ${service.name} (its own filter chains${backstopBecause ? `; backstop: ${backstopBecause}` : ""}): ` +
    connectionSizing(limit, service.hosts.length, config)
  );
}

function serviceTlsLine(config: EgressConfig, { service, limit, source }: ServiceConnectionLimit): string {
  const from =
    source.kind === "tenants" ? `sum of tenants ${source.tenants.join(", ")}` : `backstop: ${source.because}`;
  return (
    `service ${service.name} (${from}, not per tenant: the gateway cannot tell its callers apart): ` +
    connectionSizing(limit, service.hosts.length, config)
  );
}

/**
 * One line per TLS limit: each tenant's own on services with tenant chains (passthrough-mtls), and the
 * shared one of services the gateway cannot attribute (plain passthrough).
 */
export function tlsFleetLimits(config: EgressConfig): string[] {
  return [
    ...tenantConnectionLimits(config).map((limit) => tenantTlsLine(config, limit)),
    ...serviceConnectionLimits(config).map((limit) => serviceTlsLine(config, limit)),
  ];
}

/**
 * The fleet-limit line that bounds one tenant's traffic to one service: for HTTP its override for the
 * service, else its own limit, else the backstop; for TLS the tenant's own chains' limit where it has them,
 * else the service's shared connection limit.
 */
export function grantRateLimit(config: EgressConfig, tenant: string, service: ExternalServiceConfig): string {
  if (!originatesTls(service)) {
    if (hasTenantChains(service))
      return tenantTlsLine(config, tenantConnectionLimit(service, tenant, config));
    const limit = serviceConnectionLimit(service, config);
    return limit ? serviceTlsLine(config, limit) : "none declared";
  }
  if (config.rateLimits.tenants[tenant]?.unlimited) return unlimitedLine(tenant);
  const own = tenantHttpLimits(config).find((t) => t.tenant === tenant);
  const override = own?.services.find((o) => o.service.name === service.name);
  if (override) return `tenant ${tenant} → ${service.name}: ${httpSize(config, override.http)}`;
  if (own?.http) return `tenant ${tenant}: ${httpSize(config, own.http)}`;
  return httpBackstopLine(config);
}
