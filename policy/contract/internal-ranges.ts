/**
 * Ranges a pod must never reach through the egress gateway: private, shared (CGNAT), loopback and
 * link-local (where the cloud metadata endpoint lives), IPv4 and IPv6, and NAT64 (whose addresses embed
 * IPv4 ones, private ranges included, and reach them through the translator). A registered name that starts
 * resolving to one of these (DNS rebinding) then stays unreachable. The program excepts exactly these
 * in the gateway's NetworkPolicy, and the guardrail rule checks for exactly these.
 */
export const INTERNAL_RANGES: readonly string[] = [
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
