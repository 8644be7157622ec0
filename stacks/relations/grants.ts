import type { EgressConfig } from "../model/egress-config";

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
