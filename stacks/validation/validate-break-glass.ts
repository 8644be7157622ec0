import { BREAK_GLASS_MAX_HOURS } from "../../policy/contract";
import type { BreakGlassEntry } from "../model/break-glass";
import type { ConfigIssue } from "../model/config-error";
import type { EgressConfig, ExternalServiceConfig } from "../model/egress-config";
import { originatesTls, traitsOf } from "../routing-modes";
import { allowedServices, isAllowed } from "../relations/grants";
import { inClusterHostProblem } from "./in-cluster-hosts";

const hours = (ms: number) => `${Math.round((ms / 3_600_000) * 10) / 10}h`;

/**
 * What a schema cannot check: unique ids, known tenants and services, scopes the routing modes
 * support, and the tier's maximum lifetime. Expired entries are not errors: they render nothing and
 * the CLI and program warn, so the scheduled `up` that removes them never fails on them.
 */
export function validateBreakGlass(
  entries: readonly BreakGlassEntry[],
  config: Pick<
    EgressConfig,
    "environment" | "tenants" | "services" | "guardrails" | "rateLimits" | "cluster" | "grants"
  >,
  maxHoursSetting: number | undefined,
  now: Date,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });
  const tierMax = BREAK_GLASS_MAX_HOURS[config.environment];
  if (maxHoursSetting !== undefined && maxHoursSetting > tierMax) {
    add(
      "breakGlassMaxHours",
      `${maxHoursSetting}h exceeds the ${config.environment} maximum of ${tierMax}h: config can only lower it`,
    );
  }
  const maxHours = Math.min(maxHoursSetting ?? tierMax, tierMax);
  const tenants = new Map(config.tenants.map((t) => [t.namespace, t]));
  const services = new Map(config.services.map((s) => [s.name, s]));
  const knownTenants = [...tenants.keys()].join(", ") || "none";
  const ids = new Map<string, number>();
  // Hosts the active entries' destinations register so far: a host belongs to one service, as in the registry.
  const destinations = new Map<string, BreakGlassEntry>();
  entries.forEach((entry) => {
    const i = entry.index;
    const at = `breakGlass[${i}]`;
    const earlier = ids.get(entry.id);
    if (earlier !== undefined) add(`${at}.id`, `duplicate id "${entry.id}" (also breakGlass[${earlier}])`);
    else ids.set(entry.id, i);
    const left = entry.expiresAtMs - now.getTime();
    if (left > maxHours * 3_600_000) {
      add(
        `${at}.expiresAt`,
        `${entry.expiresAt} is ${hours(left)} away, beyond the ${config.environment} maximum of ${maxHours}h: ` +
          `set it at most ${maxHours}h ahead and renew with a new approval if the exception is still needed`,
      );
    }
    const scopeAt = `${at}.scope.${entry.scope}`;
    if (entry.scope === "direct" && refusesDirect(config.guardrails)) {
      add(
        scopeAt,
        "the admission guardrails (Deny) refuse break-glass NetworkPolicies from anyone not in " +
          "guardrails.breakGlassRequesters: name the user or group pulumi up runs as there",
      );
    }
    if (entry.scope === "direct") {
      entry.tenants.forEach((name, t) => {
        const tenant = tenants.get(name);
        if (!tenant) {
          add(`${scopeAt}.tenants[${t}]`, `unknown tenant "${name}"; declared tenants: ${knownTenants}`);
          return;
        }
        const services = allowedServices(tenant, config);
        if (services.length === 0) {
          add(
            `${scopeAt}.tenants[${t}]`,
            `tenant "${name}" is allowed no service, and a direct exception opens only its services' ports ` +
              "(an empty port list would open every port): add the services it needs to tenants[].allow, or leave it out",
          );
        }
        for (const service of services) {
          const problem = directProblem(service);
          if (problem)
            add(
              `${scopeAt}.tenants[${t}]`,
              `tenant "${name}" uses service "${service.name}", which ${problem}`,
            );
        }
      });
      return;
    }
    const [name] = entry.tenants;
    const tenant = tenants.get(name);
    if (!tenant) add(`${scopeAt}.tenant`, `unknown tenant "${name}"; declared tenants: ${knownTenants}`);
    const granted = entry.destination ?? services.get(entry.service as string);
    // HTTP at the gateway (it originates TLS): only a tenant's request limit covers it there.
    const httpGrant = granted !== undefined && originatesTls(granted);
    const limits = config.rateLimits.tenants[name];
    if (tenant && config.environment === "prod" && httpGrant && !limits?.unlimited && !limits?.http) {
      add(
        `${scopeAt}.tenant`,
        `prod requires a limit for every tenant: ${name} would reach the granted service over HTTP; set rateLimits.tenants.${name}.http`,
      );
    }
    if (entry.destination) {
      const { host } = entry.destination;
      const active = now.getTime() < entry.expiresAtMs;
      const earlierDestination = active ? destinations.get(host.toLowerCase()) : undefined;
      if (earlierDestination) {
        add(
          `${scopeAt}.destination.host`,
          `"${host}" is already the destination of breakGlass[${earlierDestination.index}] (${earlierDestination.id}), and a host belongs to one service: ` +
            "register it as a service and grant it to each tenant with {grant: {tenant, service}}",
        );
      } else if (active) {
        destinations.set(host.toLowerCase(), entry);
      }
      const inCluster = inClusterHostProblem(host, config.cluster.domain);
      if (inCluster) add(`${scopeAt}.destination.host`, inCluster);
      const registered = config.services.find((s) => s.hosts.includes(host.toLowerCase()));
      if (registered) {
        add(
          `${scopeAt}.destination.host`,
          `"${host}" is already registered as service "${registered.name}": grant {tenant: ${name}, service: ${registered.name}} instead`,
        );
      }
      return;
    }
    const service = services.get(entry.service as string);
    if (!service) {
      const known = [...services.keys()].join(", ") || "none";
      add(`${scopeAt}.service`, `unknown external service "${entry.service}"; declared services: ${known}`);
    } else if (tenant && isAllowed(name, service.name, config)) {
      add(`${scopeAt}.service`, `tenant "${name}" is already allowed "${service.name}": no exception needed`);
    } else if (!traitsOf(service).identityAtGateway) {
      add(
        `${scopeAt}.service`,
        `"${service.name}" is ${service.mode}: the gateway cannot tell tenants apart there, so a grant would have no identity check`,
      );
    }
  });
  return issues;
}

/** True when the stack's guardrails would deny every break-glass NetworkPolicy: Deny, and no requester named. */
function refusesDirect(guardrails: EgressConfig["guardrails"]): boolean {
  return (
    guardrails.enabled &&
    guardrails.validationActions.includes("Deny") &&
    guardrails.breakGlassRequesters.length === 0
  );
}

/** Why a service cannot go around the gateway, or undefined when it can. */
function directProblem(service: ExternalServiceConfig): string | undefined {
  const direct = traitsOf(service).directEgress;
  if (direct === "none") {
    return `is ${service.mode}: its client certificate lives in the gateway namespace and cannot go direct`;
  }
  if (direct === "sidecar-originates" && service.tls?.caBundle) {
    return "verifies its server against a CA bundle only the gateway holds, so a sidecar cannot originate TLS to it";
  }
  return undefined;
}
