import { parseCidr } from "../../policy/mesh/address-ranges";
import type { ConfigIssue } from "../model/config-error";
import type { EgressConfig, ExternalServiceConfig } from "../model/egress-config";
import type { ConnectionLimit, ParsedRateLimits, RateUnit, RequestLimit } from "../schema/rate-limits";
import { UNIT_SECONDS } from "../schema/rate-limits";
import { allowedServices, isAllowed } from "../relations/grants";
import { originatesTls } from "../routing-modes";

type AddIssue = (path: string, message: string) => void;

/**
 * Checks what the rateLimits schema cannot: that limits name declared tenants and services the tenant
 * is allowed, fit the service's mode (HTTP requests or TLS connections), that Envoy can express them,
 * and, in prod, that every tenant with egress has a limit or an explicit, reasoned exemption.
 */
export function validateRateLimits(parsed: ParsedRateLimits, config: EgressConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add: AddIssue = (path, message) => issues.push({ path, message });
  const at = "rateLimits";
  const services = new Map(config.services.map((s) => [s.name, s]));
  const tenants = new Map(config.tenants.map((t) => [t.namespace, t]));

  const backstopUnit = parsed.gateway?.http?.per;
  if (parsed.gateway?.http) checkRequests(`${at}.gateway.http`, parsed.gateway.http, undefined, add);
  if (parsed.gateway?.tls) checkConnections(`${at}.gateway.tls`, parsed.gateway.tls, add);

  for (const [namespace, limits] of Object.entries(parsed.tenants)) {
    const path = `${at}.tenants.${namespace}`;
    const tenant = tenants.get(namespace);
    if (!tenant) {
      const known = [...tenants.keys()].join(", ") || "none";
      add(path, `unknown tenant "${namespace}"; declared tenants: ${known}`);
      continue;
    }
    if (limits.unlimited) {
      if (!limits.reason)
        add(`${path}.reason`, "an unlimited tenant needs a reason, for reviewers and auditors");
      const extra = [
        ...(["http", "tls"] as const).filter((k) => limits[k] !== undefined),
        ...(Object.keys(limits.services).length > 0 ? ["services"] : []),
      ];
      if (extra.length > 0) {
        add(path, `unlimited: true excludes limits (found ${extra.join(", ")}): keep one or the other`);
      }
      continue;
    }
    if (limits.reason) add(`${path}.reason`, "a reason belongs to an unlimited tenant only");
    const allowed = allowedServices(tenant, config);
    const http = allowed.filter(originatesTls);
    const tls = allowed.filter((s) => !originatesTls(s));
    // A limit may precede the grant it will cover: that is how a promotion of a new destination lands.
    if (limits.http) checkRequests(`${path}.http`, limits.http, backstopUnit, add);
    if (limits.tls) checkConnections(`${path}.tls`, limits.tls, add);
    for (const [name, override] of Object.entries(limits.services)) {
      const where = `${path}.services.${name}`;
      const service = services.get(name);
      if (!service || !isAllowed(namespace, name, config)) {
        add(
          where,
          `${namespace} is not allowed to use "${name}" (tenants.allow lists: ${names(allowed) || "nothing"}): limits apply only to allowed services`,
        );
        continue;
      }
      checkOverride(where, service, override, backstopUnit, add);
    }
    if (config.environment === "prod") {
      if (http.length > 0 && !limits.http && !http.every((s) => limits.services[s.name]?.http)) {
        add(
          `${path}.http`,
          `prod requires a limit for every tenant: ${namespace} reaches ${names(http)} over HTTP; set http: {requests, per} (or one per service under services)`,
        );
      }
      if (tls.length > 0 && !limits.tls && !tls.every((s) => limits.services[s.name]?.tls)) {
        add(
          `${path}.tls`,
          `prod requires a limit for every tenant: ${namespace} reaches ${names(tls)} over TLS; set tls: {connections, per, maxConcurrent} (or one per service under services)`,
        );
      }
    }
  }

  if (config.environment === "prod") {
    config.tenants.forEach((tenant) => {
      if (allowedServices(tenant, config).length > 0 && !(tenant.namespace in parsed.tenants)) {
        add(
          `${at}.tenants.${tenant.namespace}`,
          `prod requires a limit for every tenant: add limits for "${tenant.namespace}" (http and/or tls), or unlimited: true with a reason`,
        );
      }
    });
  }

  if (parsed.global) {
    if (!config.services.some(originatesTls)) {
      add(
        `${at}.global`,
        "the global limiter counts HTTP requests, and no service originates TLS at the gateway (every service is TLS to it): remove global",
      );
    }
    const existing = "existing" in parsed.global.redis ? parsed.global.redis.existing : undefined;
    if (existing?.url.state === "plaintext") {
      add(
        `${at}.global.redis.existing.url`,
        "a Redis URL may carry a password and must not sit in plain text in the stack file: pulumi config set --secret --path 'mesh-egress:rateLimits.global.redis.existing.url'",
      );
    }
    existing?.cidrs.forEach((cidr, i) => {
      if (parseCidr(cidr) === undefined)
        add(
          `${at}.global.redis.existing.cidrs[${i}]`,
          "must be a CIDR block such as 10.20.0.5/32 (IPv4 as four decimal parts)",
        );
    });
  }
  return issues;
}

function names(services: readonly ExternalServiceConfig[]): string {
  return services.map((s) => s.name).join(", ");
}

function checkOverride(
  where: string,
  service: ExternalServiceConfig,
  override: { http?: RequestLimit; tls?: ConnectionLimit },
  backstopUnit: RateUnit | undefined,
  add: AddIssue,
): void {
  const http = originatesTls(service);
  if (override.http && !http) {
    add(
      `${where}.http`,
      `"${service.name}" is ${service.mode}: the gateway sees its traffic as TLS, not HTTP requests; give tls: {connections, per, maxConcurrent} instead`,
    );
  }
  if (override.tls && http) {
    add(
      `${where}.tls`,
      `"${service.name}" is ${service.mode}: the gateway sees HTTP requests; give http: {requests, per} instead`,
    );
  }
  if (!override.http && !override.tls) add(where, "give http or tls for this service, or remove the entry");
  if (override.http) checkRequests(`${where}.http`, override.http, backstopUnit, add);
  if (override.tls) checkConnections(`${where}.tls`, override.tls, add);
}

function checkRequests(path: string, limit: RequestLimit, backstopUnit: RateUnit | undefined, add: AddIssue) {
  if (limit.burst !== undefined && limit.burst < limit.requests) {
    add(
      `${path}.burst`,
      `burst ${limit.burst} is below requests ${limit.requests}: the bucket could never hold a full interval's tokens; raise burst or leave it out`,
    );
  }
  // Envoy's local rate limit needs each descriptor's fill interval to be a multiple of the default bucket's.
  if (backstopUnit && UNIT_SECONDS[limit.per] % UNIT_SECONDS[backstopUnit] !== 0) {
    add(
      `${path}.per`,
      `"${limit.per}" is shorter than the backstop's interval (rateLimits.gateway.http.per: ${backstopUnit}); Envoy needs every tenant interval to be a multiple of it: use ${backstopUnit} or longer, or give the backstop per: second`,
    );
  }
}

function checkConnections(path: string, limit: ConnectionLimit, add: AddIssue) {
  if (limit.burst !== undefined && limit.burst < limit.connections) {
    add(
      `${path}.burst`,
      `burst ${limit.burst} is below connections ${limit.connections}: raise burst or leave it out`,
    );
  }
}
