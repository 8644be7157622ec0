import * as ipaddr from "ipaddr.js";

/**
 * Address space the gateway must never reach: private, shared (CGNAT), loopback and link-local
 * (169.254.169.254 is the cloud metadata endpoint), in IPv4 and IPv6. Excluding it is the answer to
 * DNS rebinding: a registered name that starts resolving inward becomes unreachable.
 */
export const INTERNAL_IPV4_RANGES = [
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
] as const;

export const INTERNAL_IPV6_RANGES = ["fc00::/7", "fe80::/10", "::1/128"] as const;

/** True when the block overlaps any internal range. */
export function isInternalCidr(block: string): boolean {
  const [address, bits] = ipaddr.parseCIDR(block);
  const ranges = address.kind() === "ipv4" ? INTERNAL_IPV4_RANGES : INTERNAL_IPV6_RANGES;
  return ranges.some((range) => {
    const [rangeAddress, rangeBits] = ipaddr.parseCIDR(range);
    // Two blocks overlap exactly when the shorter prefix contains the other's network address.
    return bits <= rangeBits ? rangeAddress.match(address, bits) : address.match(rangeAddress, rangeBits);
  });
}
