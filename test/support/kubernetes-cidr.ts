import * as ipaddr from "ipaddr.js";

/**
 * Kubernetes' CEL `isCIDR(string)` (k8s.io/apiserver/pkg/cel/library/cidr.go): Go's netip.ParsePrefix, which
 * takes a dotted-quad IPv4 address without leading zeros or an IPv6 address, then `/bits` in decimal without
 * sign or leading zero; Kubernetes then refuses an IPv6 zone and an IPv4-mapped IPv6 address. Host bits may
 * be set: "10.0.0.1/8" is a CIDR.
 */
export function isKubernetesCidr(text: string): boolean {
  const slash = text.lastIndexOf("/");
  if (slash < 0) return false;
  const address = text.slice(0, slash);
  const bits = text.slice(slash + 1);
  if (!/^(0|[1-9][0-9]*)$/.test(bits) || address.includes("%")) return false;
  if (ipaddr.IPv4.isValidFourPartDecimal(address)) return Number(bits) <= 32;
  if (!address.includes(":") || !ipaddr.IPv6.isValid(address)) return false;
  return !ipaddr.IPv6.parse(address).isIPv4MappedAddress() && Number(bits) <= 128;
}
