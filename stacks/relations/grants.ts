import type { BreakGlassEntry, BreakGlassState } from "../model/break-glass";
import type {
  ExternalServiceConfig,
  Grant,
  GrantRelation,
  GrantSource,
  TenantConfig,
} from "../model/egress-config";

/**
 * Who may reach what: tenant × service × source (allow list, break-glass grant, break-glass direct),
 * derived once at load. This module is the only reader of the tenants' raw allow lists besides the
 * validation that names their paths; builders, reports, audit and checks ask the relation.
 */

/** What the relation is derived from: the validated sections, and every temporary service by its entry. */
export interface GrantInputs {
  readonly tenants: readonly TenantConfig[];
  readonly services: readonly ExternalServiceConfig[];
  readonly breakGlass: BreakGlassState;
  /** The service each `grant` entry's destination registers, active or expired. */
  readonly temporaryServices: ReadonlyMap<BreakGlassEntry, ExternalServiceConfig>;
}

/** Every grant, in force and expired. Names that resolve to no declared tenant or service give no row (validation reports them). */
export function buildGrantRelation(inputs: GrantInputs): GrantRelation {
  const services = new Map(inputs.services.map((s) => [s.name, s]));
  const tenants = new Set(inputs.tenants.map((t) => t.namespace));
  const allowed = (tenant: TenantConfig): ExternalServiceConfig[] =>
    tenant.allow.flatMap((name) => services.get(name) ?? []);
  const row = (tenant: string, service: ExternalServiceConfig, source: GrantSource): Grant => ({
    tenant,
    service,
    source,
  });
  const entryGrant = (entry: BreakGlassEntry): Grant[] => {
    if (entry.scope !== "grant") return [];
    const [tenant] = entry.tenants;
    const service = entry.destination
      ? inputs.temporaryServices.get(entry)
      : services.get(entry.service as string);
    return tenants.has(tenant) && service ? [row(tenant, service, { kind: "break-glass-grant", entry })] : [];
  };
  const entryDirect = (entry: BreakGlassEntry): Grant[] =>
    entry.scope !== "direct"
      ? []
      : inputs.tenants
          .filter((t) => entry.tenants.includes(t.namespace))
          .flatMap((t) => allowed(t).map((s) => row(t.namespace, s, { kind: "break-glass-direct", entry })));
  const inForce = [
    ...inputs.tenants.flatMap((t) => allowed(t).map((s) => row(t.namespace, s, { kind: "allow" }))),
    ...inputs.breakGlass.active.flatMap(entryGrant),
    ...inputs.breakGlass.active.flatMap(entryDirect),
  ];
  return {
    inForce,
    expired: inputs.breakGlass.expired.flatMap(entryGrant),
    byTenant: groupBy(inForce, (g) => g.tenant),
    byService: groupBy(inForce, (g) => g.service.name),
  };
}

function groupBy(grants: readonly Grant[], key: (grant: Grant) => string): Map<string, Grant[]> {
  const groups = new Map<string, Grant[]>();
  for (const grant of grants) {
    const group = groups.get(key(grant));
    if (group) group.push(grant);
    else groups.set(key(grant), [grant]);
  }
  return groups;
}

type WithGrants = { readonly grants: GrantRelation };
type Kind = GrantSource["kind"];

const ofKind = (grants: readonly Grant[] | undefined, kind: Kind) =>
  (grants ?? []).filter((g) => g.source.kind === kind);

/** A tenant's grants in force of one source, in relation order. */
export function grantsOfTenant(tenant: string, kind: Kind, config: WithGrants): Grant[] {
  return ofKind(config.grants.byTenant.get(tenant), kind);
}

/** A service's grants in force of one source, in relation order. */
function grantsOfService(service: string, kind: Kind, config: WithGrants): Grant[] {
  return ofKind(config.grants.byService.get(service), kind);
}

/** The services a tenant's allow list names, in its order. */
export function allowedServices(
  tenant: { readonly namespace: string },
  config: WithGrants,
): ExternalServiceConfig[] {
  return grantsOfTenant(tenant.namespace, "allow", config).map((g) => g.service);
}

/** Tenants allowed to use a service, in tenant order. */
export function allowedTenants(service: { readonly name: string }, config: WithGrants): string[] {
  return grantsOfService(service.name, "allow", config).map((g) => g.tenant);
}

/** Services active `grant` entries add to a tenant, in entry order. */
export function grantedServices(
  tenant: { readonly namespace: string },
  config: WithGrants,
): ExternalServiceConfig[] {
  return grantsOfTenant(tenant.namespace, "break-glass-grant", config).map((g) => g.service);
}

/** Tenants an active `grant` entry lets reach a service, in entry order. */
export function grantedTenants(service: { readonly name: string }, config: WithGrants): string[] {
  return grantsOfService(service.name, "break-glass-grant", config).map((g) => g.tenant);
}

/** Tenants an active `direct` entry sends straight out for a service they are allowed, each once. */
export function directTenants(service: { readonly name: string }, config: WithGrants): string[] {
  return [...new Set(grantsOfService(service.name, "break-glass-direct", config).map((g) => g.tenant))];
}

/** The rows one `direct` entry adds: its tenants × the services each is allowed. */
export function directGrantsOf(entry: BreakGlassEntry, config: WithGrants): Grant[] {
  return config.grants.inForce.filter(
    (g) => g.source.kind === "break-glass-direct" && g.source.entry === entry,
  );
}

/** Whether a tenant's allow list names a service. */
export function isAllowed(tenant: string, service: string, config: WithGrants): boolean {
  return grantsOfTenant(tenant, "allow", config).some((g) => g.service.name === service);
}

/** A row of a break-glass `grant` entry. */
export type BreakGlassGrant = Grant & {
  readonly source: Extract<GrantSource, { kind: "break-glass-grant" }>;
};

/** Every `grant` entry's row, those in force then the expired (entry order each): the audit judges past traffic by them. */
export function breakGlassGrants(config: WithGrants): BreakGlassGrant[] {
  return [...config.grants.inForce, ...config.grants.expired].filter(
    (g): g is BreakGlassGrant => g.source.kind === "break-glass-grant",
  );
}
