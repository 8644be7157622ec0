import { z } from "zod";
import { BREAK_GLASS_MAX_HOURS, type BreakGlassScope, parseRfc3339 } from "../../policy/contract";
import type { ConfigIssue } from "./config-error";
import type { EgressConfig, Environment, ExternalServiceConfig } from "./egress-config";
import { inClusterHostProblem } from "../validation/in-cluster-hosts";
import { originatesTls, traitsOf } from "../routing-modes";

/**
 * Break-glass entries: time-bounded exceptions to the egress path. The schema checks each entry on
 * its own; `validateBreakGlass` checks names, the tier's maximum and expiry against an injected `now`
 * (nothing here reads the clock), and `partitionBreakGlass` splits active from expired.
 */

/** "required" only when absent: a YAML number or timestamp is there, but must be quoted to be text. */
const missingOrNotText = (field: string, missing: string) => (issue: { input?: unknown }) =>
  issue.input === undefined
    ? missing
    : `${field} must be text: quote it in YAML (${field}: "${issue.input instanceof Date ? issue.input.toISOString() : String(issue.input)}")`;

const required = (field: string, maxLength: number) =>
  z
    .string({
      error: missingOrNotText(
        field,
        `${field} is required: every break-glass entry says why, who approved it and until when`,
      ),
    })
    .trim()
    .min(1, `${field} must not be empty`)
    // Written as an annotation on every object the entry adds: the API server refuses annotations over 256 KiB in all.
    .max(
      maxLength,
      `${field} must be at most ${maxLength} characters (it is an annotation on every object the entry adds)`,
    );

const entryId = z
  .string({ error: "id is required" })
  .max(40, "must be at most 40 characters (it prefixes object names)")
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a DNS-1123 label: lowercase letters, digits and '-'");

const tenantName = z.string().min(1);

/** Modes a grant's own destination may use: the gateway knows the caller, and no client certificate is needed. */
export const GRANT_DESTINATION_MODES = ["passthrough-mtls", "originate"] as const;

/** A host a `grant` entry reaches before it is in the registry. */
export interface GrantDestination {
  readonly host: string;
  readonly port: number;
  readonly mode: (typeof GRANT_DESTINATION_MODES)[number];
}

export const breakGlassEntrySchema = z.strictObject({
  id: entryId,
  reason: required("reason", 4096),
  ticket: required("ticket", 256),
  approvedBy: required("approvedBy", 256),
  expiresAt: z
    .string({
      error: missingOrNotText(
        "expiresAt",
        "expiresAt is required: an RFC 3339 time such as 2026-11-30T06:00:00Z",
      ),
    })
    .refine((value) => parseRfc3339(value) !== undefined, {
      message: "must be an RFC 3339 time with an offset, such as 2026-11-30T06:00:00Z",
    })
    // RFC 3339 allows a lowercase t and z; the API server's CEL timestamp() (Go's parser) does not.
    .transform((value) => value.toUpperCase()),
  // One object with one key, not a union: a union would hide the inner field's path-qualified error.
  scope: z
    .strictObject({
      /** Named tenants reach their allowed services directly, around the gateway (gateway outage). */
      direct: z.strictObject({ tenants: z.array(tenantName).min(1, "name at least one tenant") }).optional(),
      /** One tenant reaches, through the gateway, a registered service it is not allowed or a host not yet registered. */
      grant: z
        .strictObject({
          tenant: tenantName,
          service: z.string().min(1).optional(),
          destination: z
            .strictObject({
              host: z.string().min(1),
              port: z.number().int().min(1).max(65535).default(443),
              mode: z.enum(GRANT_DESTINATION_MODES, {
                error: `must be one of ${GRANT_DESTINATION_MODES.join(", ")} (the gateway checks the caller's identity; no client certificate to provision)`,
              }),
            })
            .optional(),
        })
        .refine((grant) => (grant.service === undefined) !== (grant.destination === undefined), {
          message:
            "name either a registered service or a destination {host, port, mode} not yet in the registry, not both",
        })
        .optional(),
    })
    .refine((scope) => (scope.direct === undefined) !== (scope.grant === undefined), {
      message:
        "scope must be {direct: {tenants: [...]}} or {grant: {tenant, service}} or {grant: {tenant, destination: {host, port, mode}}}",
    }),
});

/** `mesh-egress:breakGlassMaxHours`: lowers the tier's maximum lifetime of an entry. */
export const breakGlassMaxHoursSchema = z.number().int().min(1, "must be at least 1 hour");

export type BreakGlassEntryInput = z.output<typeof breakGlassEntrySchema>;

/** One validated entry, with its scope flattened for builders and reports. */
export interface BreakGlassEntry {
  /** Position in `breakGlass`, for path-qualified messages. */
  readonly index: number;
  readonly id: string;
  readonly reason: string;
  readonly ticket: string;
  readonly approvedBy: string;
  /** As written (RFC 3339); `expiresAtMs` is the same instant. */
  readonly expiresAt: string;
  readonly expiresAtMs: number;
  readonly scope: BreakGlassScope;
  /** `direct`: the tenants that go around the gateway; `grant`: the one tenant granted. */
  readonly tenants: readonly string[];
  /** `grant`: the service granted (for a `destination`, the temporary service `break-glass-<id>`). */
  readonly service?: string;
  /** `grant`: the unregistered host granted, registered by the entry while it lasts. */
  readonly destination?: GrantDestination;
}

/** Prefixes every object name an entry adds (`break-glass-<id>`, `break-glass-<id>-<service>`): registered services may not use it. */
export const BREAK_GLASS_NAME_PREFIX = "break-glass-";

/** The name of the temporary service a `grant` entry's destination is registered under. */
export const temporaryServiceName = (id: string) => `${BREAK_GLASS_NAME_PREFIX}${id}`;

/** Every entry of a stack, split at `now`: only active entries render anything. */
export interface BreakGlassState {
  /** The instant the entries were judged at (RFC 3339): `--now`, MESH_EGRESS_NOW, or the clock. */
  readonly evaluatedAt: string;
  /** The longest an entry may last here, in hours: the tier's maximum or the stack's lower value. */
  readonly maxHours: number;
  readonly active: readonly BreakGlassEntry[];
  readonly expired: readonly BreakGlassEntry[];
}

export function toBreakGlassEntry(input: BreakGlassEntryInput, index: number): BreakGlassEntry {
  const common = {
    index,
    id: input.id,
    reason: input.reason,
    ticket: input.ticket,
    approvedBy: input.approvedBy,
    expiresAt: input.expiresAt,
    expiresAtMs: parseRfc3339(input.expiresAt) as number,
  };
  if (input.scope.direct) return { ...common, scope: "direct", tenants: [...input.scope.direct.tenants] };
  // The schema lets exactly one of direct and grant through.
  const { tenant, service, destination } = input.scope.grant as NonNullable<typeof input.scope.grant>;
  return destination
    ? { ...common, scope: "grant", tenants: [tenant], service: temporaryServiceName(input.id), destination }
    : { ...common, scope: "grant", tenants: [tenant], service };
}

/** Active (now < expiresAt) and expired entries, in config order. */
export function partitionBreakGlass(
  entries: readonly BreakGlassEntry[],
  environment: Environment,
  maxHours: number | undefined,
  now: Date,
): BreakGlassState {
  return {
    evaluatedAt: now.toISOString(),
    maxHours: Math.min(maxHours ?? BREAK_GLASS_MAX_HOURS[environment], BREAK_GLASS_MAX_HOURS[environment]),
    active: entries.filter((e) => now.getTime() < e.expiresAtMs),
    expired: entries.filter((e) => now.getTime() >= e.expiresAtMs),
  };
}

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
    "environment" | "tenants" | "services" | "guardrails" | "rateLimits" | "cluster"
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
        for (const serviceName of tenant.allow) {
          const service = services.get(serviceName);
          const problem = service && directProblem(service);
          if (problem)
            add(
              `${scopeAt}.tenants[${t}]`,
              `tenant "${name}" uses service "${serviceName}", which ${problem}`,
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
    } else if (tenant?.allow.includes(service.name)) {
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

/** Tenants an active `grant` entry lets reach a service, in entry order. */
export function grantedTenants(service: { readonly name: string }, config: EgressConfig): string[] {
  return config.breakGlass.active
    .filter((e) => e.scope === "grant" && e.service === service.name)
    .map((e) => e.tenants[0]);
}

/** Services active `grant` entries add to a tenant, by name. */
export function grantedServices(tenant: { readonly namespace: string }, config: EgressConfig): string[] {
  return config.breakGlass.active
    .filter((e) => e.scope === "grant" && e.tenants[0] === tenant.namespace)
    .map((e) => e.service as string);
}

/** Tenants an active `direct` entry sends straight out for a service they are allowed. */
export function directTenants(
  service: { readonly name: string },
  config: Pick<EgressConfig, "breakGlass" | "tenants">,
): string[] {
  const direct = new Set(
    config.breakGlass.active.filter((e) => e.scope === "direct").flatMap((e) => e.tenants),
  );
  return config.tenants
    .filter((t) => direct.has(t.namespace) && t.allow.includes(service.name))
    .map((t) => t.namespace);
}

/** One line per expired entry, for `render` (stderr) and `pulumi up` (a warning). */
export function expiredBreakGlassWarnings(state: BreakGlassState): string[] {
  return state.expired.map(
    (e) =>
      `break-glass "${e.id}" (breakGlass[${e.index}], ticket ${e.ticket}) expired at ${e.expiresAt} ` +
      `and renders nothing: remove it from the stack file`,
  );
}
