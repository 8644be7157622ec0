import { HTTP_LOCAL_RATE_LIMIT, NETWORK_LOCAL_RATE_LIMIT } from "../../policy/contract";
import type { EgressConfig, ExternalServiceConfig } from "../../stacks/model/egress-config";
import type { ConnectionLimit, RequestLimit } from "../../stacks/model/rate-limits";
import { GATEWAY_HTTP_PORT } from "../gateway-endpoint";
import {
  httpServices,
  ServiceConnectionLimit,
  TenantConnectionLimit,
  tenantHttpLimits,
} from "../rate-limit-model";
import { tenantSni } from "../tenant-sni";
import { chainShare, envoyTokenBucket, replicaBucket, replicaShare } from "../rate-limit-sizing";

/**
 * The Envoy configuration of the gateway's local rate limits, as EnvoyFilter patches. Every
 * `typed_config` here is checked against Envoy 1.38's protos by the tests (test/support/envoy-api.ts).
 */

export const TYPE_URL = "type.googleapis.com/";
export const HCM_FILTER = "envoy.filters.network.http_connection_manager";
export const ROUTER_FILTER = "envoy.filters.http.router";
export const TCP_PROXY_FILTER = "envoy.filters.network.tcp_proxy";
export const NETWORK_CONNECTION_LIMIT = "envoy.filters.network.connection_limit";
const EXPR_DESCRIPTOR = "envoy.rate_limit_descriptors.expr";

/** The response header a limited request carries, saying which limiter refused it. */
export const RATE_LIMITED_HEADER = "x-mesh-egress-rate-limited";
/** Descriptor keys: the caller's tenant (from its certificate) and the service it calls. */
export const TENANT_KEY = "tenant";
export const SERVICE_KEY = "service";
/** What the descriptor expressions yield for callers or hosts no limit names. */
export const UNLISTED = "unlisted";

/** 100 % of requests; a fresh object per use, so the rendered YAML has no anchors. */
export const always = () => ({ default_value: { numerator: 100, denominator: "HUNDRED" } });

/** CEL string literal; names here are DNS labels, so quoting is enough. */
const literal = (value: string): string => `'${value}'`;

/**
 * The caller's tenant, from the SPIFFE ID in the peer certificate of its mTLS connection to the
 * gateway: a header could be forged, the certificate istiod issued cannot.
 */
export function tenantExpression(config: EgressConfig, tenants: readonly string[]): string {
  const trustDomain = config.controlPlane.trustDomain;
  return tenants.reduceRight(
    (otherwise, tenant) =>
      `connection.uri_san_peer_certificate.startsWith(${literal(`spiffe://${trustDomain}/ns/${tenant}/`)}) ? ${literal(tenant)} : ${otherwise}`,
    literal(UNLISTED),
  );
}

/** The service a request goes to, from the :authority the gateway routes on (any case, any port). */
export function serviceExpression(services: readonly ExternalServiceConfig[]): string {
  return services.reduceRight((otherwise, service) => {
    const hosts = service.hosts.map((h) => h.replace(/\./g, "[.]")).join("|");
    return `request.host.matches(${literal(`^(?i)(${hosts})(:[0-9]+)?$`)}) ? ${literal(service.name)} : ${otherwise}`;
  }, literal(UNLISTED));
}

function exprAction(key: string, text: string): Record<string, unknown> {
  return {
    extension: {
      name: EXPR_DESCRIPTOR,
      typed_config: {
        "@type": `${TYPE_URL}envoy.extensions.rate_limit_descriptors.expr.v3.Descriptor`,
        descriptor_key: key,
        text,
      },
    },
  };
}

/**
 * The descriptors each request produces: (tenant) always, (tenant, service) when some tenant has a
 * per-service override. The same list drives the local filter and the global limiter.
 */
export function descriptorActions(config: EgressConfig): Record<string, unknown>[] {
  const limits = tenantHttpLimits(config);
  const tenant = () =>
    exprAction(
      TENANT_KEY,
      tenantExpression(
        config,
        limits.map((l) => l.tenant),
      ),
    );
  const overridden = httpServices(config).filter((s) =>
    limits.some((l) => l.services.some((o) => o.service.name === s.name)),
  );
  return [
    { actions: [tenant()] },
    ...(overridden.length > 0
      ? [{ actions: [tenant(), exprAction(SERVICE_KEY, serviceExpression(overridden))] }]
      : []),
  ];
}

function bucketFor(limit: RequestLimit, config: EgressConfig): Record<string, unknown> {
  return envoyTokenBucket(
    replicaBucket(
      { count: limit.requests, per: limit.per, ...(limit.burst ? { burst: limit.burst } : {}) },
      config.gateway.replicas,
      config.rateLimits.replicaSharing,
    ),
  );
}

function rateLimitedHeader(value: string): Record<string, unknown> {
  return { header: { key: RATE_LIMITED_HEADER, value }, append_action: "OVERWRITE_IF_EXISTS_OR_ADD" };
}

/** `envoy.filters.http.local_ratelimit`: the backstop bucket, and one bucket per tenant and per override. */
export function httpLocalRateLimit(config: EgressConfig): Record<string, unknown> {
  const descriptors = tenantHttpLimits(config).flatMap((tenant) => [
    ...(tenant.http
      ? [
          {
            entries: [{ key: TENANT_KEY, value: tenant.tenant }],
            token_bucket: bucketFor(tenant.http, config),
          },
        ]
      : []),
    ...tenant.services.map((o) => ({
      entries: [
        { key: TENANT_KEY, value: tenant.tenant },
        { key: SERVICE_KEY, value: o.service.name },
      ],
      token_bucket: bucketFor(o.http, config),
    })),
  ]);
  return {
    "@type": `${TYPE_URL}envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit`,
    stat_prefix: "mesh_egress_local_rate_limit",
    // The backstop: every request also takes a token here, so all tenants together stay under it.
    token_bucket: bucketFor(config.rateLimits.backstop.http, config),
    // Both default to 0 %: without them the filter counts nothing and refuses nothing.
    filter_enabled: always(),
    filter_enforced: always(),
    always_consume_default_token_bucket: true,
    // Buckets are per replica, shared by all connections: one bucket per connection would let a
    // tenant multiply its limit by opening connections.
    local_rate_limit_per_downstream_connection: false,
    response_headers_to_add: [rateLimitedHeader("local; egress gateway rate limit for this tenant")],
    enable_x_ratelimit_headers: "DRAFT_VERSION_03",
    descriptors,
    rate_limits: descriptorActions(config),
  };
}

/** Where HTTP filters go: every HTTP connection manager of the gateway's plain-HTTP port, before the router. */
export function beforeGatewayRouter(): Record<string, unknown> {
  return {
    context: "GATEWAY",
    listener: {
      portNumber: GATEWAY_HTTP_PORT,
      filterChain: { filter: { name: HCM_FILTER, subFilter: { name: ROUTER_FILTER } } },
    },
  };
}

/**
 * The HTTP local rate limit patch. INSERT_BEFORE the router puts it after Istio's RBAC filter, so
 * requests the gateway denies spend no tokens.
 */
export function httpLocalRateLimitPatch(config: EgressConfig): Record<string, unknown> {
  return {
    applyTo: "HTTP_FILTER",
    match: beforeGatewayRouter(),
    patch: {
      operation: "INSERT_BEFORE",
      value: { name: HTTP_LOCAL_RATE_LIMIT, typed_config: httpLocalRateLimit(config) },
    },
  };
}

/** Stat names allow [a-z0-9_]. */
const statName = (name: string): string => name.replace(/[^a-z0-9]/g, "_");

/** The chains one connection limit covers, and the names its filters share. */
interface ChainLimit {
  /** The listener port of the chains. */
  readonly port: number;
  /** The SNI of each chain (one per host, or per host and tenant). */
  readonly snis: readonly string[];
  /** Filters with this key and bucket share one bucket per replica (local_rate_limit.proto, share_key). */
  readonly shareKey: string;
  readonly statPrefix: string;
  readonly limit: ConnectionLimit;
}

/**
 * For each chain (by SNI), two network filters before its tcp_proxy: a connection-rate bucket shared by the
 * chains (share_key), and a cap on open connections, the replica's share split between the chains
 * (connection_limit counts per chain and has no share key). Neither tells callers apart: Envoy has no
 * per-source key at L4, which is why tenants get chains of their own.
 */
function chainLimitPatches(chains: ChainLimit, config: EgressConfig): Record<string, unknown>[] {
  const { limit } = chains;
  const { replicas } = config.gateway;
  const sharing = config.rateLimits.replicaSharing;
  const bucket = () =>
    envoyTokenBucket(
      replicaBucket(
        { count: limit.connections, per: limit.per, ...(limit.burst ? { burst: limit.burst } : {}) },
        replicas,
        sharing,
      ),
    );
  return chains.snis.flatMap((sni) => {
    const match = () => ({
      context: "GATEWAY",
      listener: { portNumber: chains.port, filterChain: { sni, filter: { name: TCP_PROXY_FILTER } } },
    });
    const patches: Record<string, unknown>[] = [
      {
        applyTo: "NETWORK_FILTER",
        match: match(),
        patch: {
          operation: "INSERT_BEFORE",
          value: {
            name: NETWORK_LOCAL_RATE_LIMIT,
            typed_config: {
              "@type": `${TYPE_URL}envoy.extensions.filters.network.local_ratelimit.v3.LocalRateLimit`,
              stat_prefix: chains.statPrefix,
              token_bucket: bucket(),
              share_key: chains.shareKey,
            },
          },
        },
      },
    ];
    if (limit.maxConcurrent !== undefined) {
      patches.push({
        applyTo: "NETWORK_FILTER",
        match: match(),
        patch: {
          operation: "INSERT_BEFORE",
          value: {
            name: NETWORK_CONNECTION_LIMIT,
            typed_config: {
              "@type": `${TYPE_URL}envoy.extensions.filters.network.connection_limit.v3.ConnectionLimit`,
              stat_prefix: chains.statPrefix,
              max_connections: chainShare(
                replicaShare(limit.maxConcurrent, replicas, sharing),
                chains.snis.length,
              ),
            },
          },
        },
      });
    }
    return patches;
  });
}

/** A TLS service shared by its tenants (plain passthrough): one bucket for the service, on each host's chain. */
export function tlsConnectionLimitPatches(
  limit: ServiceConnectionLimit,
  config: EgressConfig,
): Record<string, unknown>[] {
  const { service } = limit;
  return chainLimitPatches(
    {
      port: service.port,
      snis: service.hosts,
      shareKey: `mesh-egress/${service.name}`,
      statPrefix: `mesh_egress_${statName(service.name)}`,
      limit: limit.limit,
    },
    config,
  );
}

/** One tenant of a TLS service with tenant chains: its own bucket and cap, on its own chain for each host. */
export function tenantChainLimitPatches(
  limit: TenantConnectionLimit,
  config: EgressConfig,
): Record<string, unknown>[] {
  const { service, tenant } = limit;
  return chainLimitPatches(
    {
      port: service.port,
      snis: service.hosts.map((host) => tenantSni(tenant, host)),
      shareKey: `mesh-egress/${service.name}/${tenant}`,
      statPrefix: `mesh_egress_${statName(service.name)}_${statName(tenant)}`,
      limit: limit.limit,
    },
    config,
  );
}
