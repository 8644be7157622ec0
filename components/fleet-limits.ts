import type { EgressConfig, ExternalServiceConfig } from "../stacks/egress-config";
import { originatesTls } from "../stacks/routing-modes";
import {
  serviceConnectionLimit,
  ServiceConnectionLimit,
  serviceConnectionLimits,
  tenantHttpLimits,
} from "./rate-limit-model";
import { describeSizing, replicaShare } from "./rate-limit-sizing";

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

/** One line per HTTP limit: the backstop, each tenant, each override, with the fleet-wide range it gives. */
export function httpFleetLimits(config: EgressConfig): string[] {
  const size = (l: HttpLimit) => httpSize(config, l);
  return [
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

/** One line per TLS service: its connection limit (shared by its tenants) and open-connection cap. */
export function tlsFleetLimits(config: EgressConfig): string[] {
  return serviceConnectionLimits(config).map((limit) => tlsLimitLine(config, limit));
}

function tlsLimitLine(config: EgressConfig, { service, limit, source }: ServiceConnectionLimit): string {
  const { replicas } = config.gateway;
  const sharing = config.rateLimits.replicaSharing;
  const from =
    source.kind === "tenants" ? `sum of tenants ${source.tenants.join(", ")}` : `backstop: ${source.because}`;
  const concurrent =
    limit.maxConcurrent !== undefined
      ? `; open connections ${limit.maxConcurrent} fleet-wide → ${replicaShare(limit.maxConcurrent, replicas, sharing)} per replica per host`
      : "";
  return (
    `service ${service.name} (${from}, not per tenant: Envoy has no per-source key at L4): new connections ` +
    `${describeSizing({ count: limit.connections, per: limit.per, ...(limit.burst ? { burst: limit.burst } : {}) }, replicas, sharing)}${concurrent}`
  );
}

/**
 * The fleet-limit line that bounds one tenant's traffic to one service: for HTTP its override for the
 * service, else its own limit, else the backstop; for TLS the service's shared connection limit.
 */
export function grantRateLimit(config: EgressConfig, tenant: string, service: ExternalServiceConfig): string {
  if (!originatesTls(service)) {
    const limit = serviceConnectionLimit(service, config);
    return limit ? tlsLimitLine(config, limit) : "none declared";
  }
  if (config.rateLimits.tenants[tenant]?.unlimited) return unlimitedLine(tenant);
  const own = tenantHttpLimits(config).find((t) => t.tenant === tenant);
  const override = own?.services.find((o) => o.service.name === service.name);
  if (override) return `tenant ${tenant} → ${service.name}: ${httpSize(config, override.http)}`;
  if (own?.http) return `tenant ${tenant}: ${httpSize(config, own.http)}`;
  return httpBackstopLine(config);
}
