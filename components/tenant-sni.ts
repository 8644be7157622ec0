import type { EgressConfig, ExternalServiceConfig } from "../stacks/model/egress-config";
import { allowedTenants, directTenants, grantedTenants } from "../stacks/relations/grants";
import { originatesTls, traitsOf } from "../stacks/routing-modes";

/**
 * Per-tenant filter chains for TLS services. A sidecar's TLS route honours `sourceNamespace`
 * (istio pilot/pkg/networking/core/tls.go, matchTLS), an ISTIO_MUTUAL subset's `tls.sni` is sent verbatim
 * (cluster_tls.go), and the gateway builds one chain per TLS-terminating server matching its hosts as SNI
 * (gateway.go, createGatewayTCPFilterChainOpts). So each tenant gets its own subset SNI, server and chain,
 * and with it its own network local_ratelimit and connection_limit.
 */

/** A reserved suffix (RFC 2606 `.invalid`): a tenant SNI never resolves and never equals a registered host. */
export const TENANT_SNI_SUFFIX = "mesh-egress.invalid";

/** Whether a service is served by one gateway chain per tenant: the gateway knows the caller and sees only TLS bytes. */
export function hasTenantChains(service: ExternalServiceConfig): boolean {
  return traitsOf(service).identityAtGateway && !originatesTls(service);
}

/** The SNI a tenant's sidecars present to the gateway for a host, and the gateway server's host for it. */
export function tenantSni(tenant: string, host: string): string {
  const sni = `${tenant}.${host}.${TENANT_SNI_SUFFIX}`;
  // A DNS name is at most 253 characters; Envoy matches server_names as names.
  if (sni.length > 253) {
    throw new Error(
      `tenant ${tenant} × host ${host}: the per-tenant SNI ${sni} is longer than 253 characters; shorten the namespace or the host`,
    );
  }
  return sni;
}

/** Tenants whose sidecars route the host to the gateway: allowed or granted, minus those sent direct by break-glass. */
export function tenantsThroughGateway(service: ExternalServiceConfig, config: EgressConfig): string[] {
  const direct = new Set(directTenants(service, config));
  return [...allowedTenants(service, config), ...grantedTenants(service, config)].filter(
    (tenant) => !direct.has(tenant),
  );
}

/**
 * The tenants whose SNIs a service's gateway routes list: every tenant with an ALLOW rule for it (allowed or
 * granted), so each rule's SNI is a declared alias, even for a tenant break-glass sends direct for now.
 */
export function sniTenants(service: ExternalServiceConfig, config: EgressConfig): string[] {
  return hasTenantChains(service)
    ? [...new Set([...allowedTenants(service, config), ...grantedTenants(service, config)])]
    : [];
}

/** The tenants that get their own chain for a service; empty for services without tenant chains. */
export function chainTenants(service: ExternalServiceConfig, config: EgressConfig): string[] {
  return hasTenantChains(service) ? [...new Set(tenantsThroughGateway(service, config))] : [];
}
