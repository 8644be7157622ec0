/**
 * Two address lists with two jobs, defined here once. Never use one for the other: the gateway must
 * except NAT64 and link-local, and a tenant must never open them (in a NAT64 cluster `64:ff9b::/96` is
 * the IPv4 internet; link-local holds the cloud metadata endpoint).
 */

/**
 * What the egress gateway must never reach: private, shared (CGNAT), loopback and link-local (the cloud
 * metadata endpoint), IPv4 and IPv6, and NAT64 (whose addresses embed IPv4 ones, private ranges included,
 * and reach them through the translator). A registered name that starts resolving to one of these (DNS
 * rebinding) then stays unreachable. The program excepts exactly these (plus `cluster.internalCidrs`) in
 * the gateway's NetworkPolicy, and the pack checks for exactly these.
 */
export const GATEWAY_EXCLUDED_RANGES: readonly string[] = [
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "fc00::/7",
  "fe80::/10",
  "::1/128",
  "64:ff9b::/96",
  "64:ff9b:1::/48",
];

/**
 * What a tenant's NetworkPolicy (or CNI policy, ServiceEntry, WorkloadEntry, Endpoints) may name: the
 * in-cluster private ranges, to which the stack adds `cluster.internalCidrs`. Never NAT64 (the internet
 * behind a translator), never link-local (cloud metadata), never loopback (meaningless off the pod).
 */
export const TENANT_OPENABLE_RANGES: readonly string[] = [
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "100.64.0.0/10",
  "fc00::/7",
];

/** Ranges no tenant may open even when `cluster.internalCidrs` overlaps them: metadata and NAT64. */
export const NEVER_TENANT_OPENABLE_RANGES: readonly string[] = [
  "169.254.0.0/16",
  "fe80::/10",
  "64:ff9b::/96",
  "64:ff9b:1::/48",
];
