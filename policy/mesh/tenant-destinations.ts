import { KubernetesObject } from "../contract";
import {
  AddressRange,
  parseAddress,
  parseCidr,
  reachesBeyondTenantOpenable,
  subtractRanges,
} from "./address-ranges";
import { declaredClusterRanges } from "./cluster-ranges";
import { MeshTopology } from "./mesh-topology";
import { judgedTenants } from "./tenant-scope";
import { isInClusterHost } from "./in-cluster-hosts";

/**
 * Tenant isolation, destinations: what a tenant namespace may register as a place to send traffic. Only the
 * registry adds outside destinations; a tenant names in-cluster names and the ranges a tenant may open
 * (TENANT_OPENABLE_RANGES plus the cluster's own), and loopback, which never leaves the pod.
 */

/** Loopback: an endpoint there is the proxy's own host, never outside. */
export const LOOPBACK = ["127.0.0.0/8", "::1/128"].map((c) => parseCidr(c) as AddressRange);

/** What a tenant may name as a destination: the openable ranges and loopback. */
export function beyondTenantDestinations(
  ranges: readonly AddressRange[],
  clusterRanges: readonly string[],
): boolean {
  return reachesBeyondTenantOpenable(subtractRanges(ranges, LOOPBACK), clusterRanges);
}

/** The address literal of a value (`10.0.0.1`, `10.0.0.0/24`, `[2001:db8::1]`), or undefined for a name. */
export function addressOf(value: string): AddressRange | undefined {
  const bare = value.trim().replace(/^\[|\]$/g, "");
  return bare.includes("/") ? parseCidr(bare) : parseAddress(bare);
}

/** Why one destination (an address, a CIDR or a DNS name) lies outside what a tenant may name; undefined when it does not. */
export function outsideDestination(
  value: string,
  clusterDomain: string,
  clusterRanges: readonly string[],
): string | undefined {
  if (value.startsWith("unix://")) return undefined;
  const address = addressOf(value);
  if (address) {
    return beyondTenantDestinations([address], clusterRanges)
      ? `${value} is beyond the ranges a tenant may name (public, link-local metadata or NAT64)`
      : undefined;
  }
  const name = value.replace(/\.$/, "").toLowerCase();
  if (name.includes("*")) return `${value} is a wildcard, which matches names outside the cluster`;
  return isInClusterHost(name, clusterDomain) ? undefined : `${value} is a name outside the cluster`;
}

/** The context every tenant destination check needs: cluster domain and the cluster's own ranges. */
export function destinationContext(
  objects: readonly KubernetesObject[],
  mesh: MeshTopology,
): { clusterDomain: string; clusterRanges: string[]; tenants: Set<string> } {
  return {
    clusterDomain: mesh.clusterDomain,
    clusterRanges: declaredClusterRanges(objects, mesh.gatewayNamespace),
    tenants: judgedTenants(objects, mesh),
  };
}
