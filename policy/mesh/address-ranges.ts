import * as ipaddr from "ipaddr.js";
import { GATEWAY_EXCLUDED_RANGES, NEVER_TENANT_OPENABLE_RANGES, TENANT_OPENABLE_RANGES } from "../contract";

/** A contiguous block of addresses of one family, as inclusive integer bounds. */
export interface AddressRange {
  readonly family: 4 | 6;
  readonly start: bigint;
  readonly end: bigint;
}

/** Everything that is not public internet: the internal ranges plus unspecified, multicast and reserved space. */
const NON_PUBLIC_RANGES: readonly string[] = [
  ...GATEWAY_EXCLUDED_RANGES,
  "0.0.0.0/8",
  "224.0.0.0/4",
  "240.0.0.0/4",
  "::/128",
  "ff00::/8",
];

/**
 * Parses "10.0.0.0/8" or "::/0" (host bits are masked off); undefined when it is not a CIDR. The one
 * address parser of program and pack: IPv4 only as four decimal parts (ipaddr.js would also read
 * `10.0/8`, `167772160/8` and `0xa.0.0.0/8`, which Kubernetes refuses), and an IPv4-mapped IPv6 block
 * (`::ffff:10.0.0.0/104`) as the IPv4 block it is, so every comparison sees one form.
 */
export function parseCidr(cidr: string): AddressRange | undefined {
  const trimmed = cidr.trim();
  const valid = ipaddr.IPv4.isValidCIDRFourPartDecimal(trimmed) || ipaddr.IPv6.isValidCIDR(trimmed);
  if (!valid) return undefined;
  const [parsed, parsedBits] = ipaddr.parseCIDR(trimmed);
  const mapped =
    parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress() && parsedBits >= 96;
  const address = mapped ? (parsed as ipaddr.IPv6).toIPv4Address() : parsed;
  const bits = mapped ? parsedBits - 96 : parsedBits;
  const family = address.kind() === "ipv4" ? 4 : 6;
  const width = family === 4 ? 32 : 128;
  const value = address.toByteArray().reduce((acc, byte) => (acc << 8n) | BigInt(byte), 0n);
  const hostBits = BigInt(width - bits);
  const start = (value >> hostBits) << hostBits;
  const end = start + (1n << hostBits) - 1n;
  return { family, start, end };
}

/** The canonical text of a block (`10.0.0.0/8`, `2001:db8::/32`): what the program renders and compares. */
export function formatRange(range: AddressRange): string {
  const width = range.family === 4 ? 32 : 128;
  let size = range.end - range.start + 1n;
  let hostBits = 0;
  while (size > 1n) {
    size >>= 1n;
    hostBits += 1;
  }
  const bytes: number[] = [];
  for (let shift = BigInt(width - 8); shift >= 0n; shift -= 8n)
    bytes.push(Number((range.start >> shift) & 0xffn));
  return `${ipaddr.fromByteArray(bytes).toString()}/${width - hostBits}`;
}

/** One address (no prefix) as the one-address range it is, by the parser above; undefined when it is not one. */
export function parseAddress(value: string): AddressRange | undefined {
  const trimmed = value.trim();
  if (trimmed.includes("/")) return undefined;
  return parseCidr(`${trimmed}/${trimmed.includes(":") ? 128 : 32}`);
}

/** The canonical text of a one-address range, without its prefix (`203.0.113.10`, `2001:db8::10`). */
export function formatAddress(range: AddressRange): string {
  return formatRange(range).split("/")[0] as string;
}

/** The canonical form of a CIDR, or undefined when it does not parse (callers refuse it). */
export function normaliseCidr(cidr: string): string | undefined {
  const range = parseCidr(cidr);
  return range && formatRange(range);
}

/** `from` minus every range in `remove`, as disjoint ranges. */
export function subtractRanges(
  from: readonly AddressRange[],
  remove: readonly AddressRange[],
): AddressRange[] {
  let remaining = [...from];
  for (const cut of remove) {
    const next: AddressRange[] = [];
    for (const r of remaining) {
      if (r.family !== cut.family || cut.end < r.start || cut.start > r.end) {
        next.push(r);
        continue;
      }
      if (cut.start > r.start) next.push({ family: r.family, start: r.start, end: cut.start - 1n });
      if (cut.end < r.end) next.push({ family: r.family, start: cut.end + 1n, end: r.end });
    }
    remaining = next;
  }
  return remaining;
}

function parsedAll(cidrs: readonly string[]): AddressRange[] {
  return cidrs.map(parseCidr).filter((r): r is AddressRange => r !== undefined);
}

/** What an ipBlock lets through: its CIDR minus its excepts. Undefined when the CIDR does not parse. */
export function ipBlockRanges(cidr: string, excepts: readonly string[]): AddressRange[] | undefined {
  const block = parseCidr(cidr);
  if (!block) return undefined;
  return subtractRanges([block], parsedAll(excepts));
}

/** The non-public ranges (internal, unspecified, multicast, reserved) that `ranges` reaches, at least in part. */
export function nonPublicRangesReached(ranges: readonly AddressRange[]): string[] {
  return NON_PUBLIC_RANGES.filter((cidr) => {
    const other = parseCidr(cidr);
    return (
      other !== undefined &&
      ranges.some((r) => r.family === other.family && r.start <= other.end && r.end >= other.start)
    );
  });
}

/** Whether any public internet address is inside `ranges`. */
export function reachesPublicAddresses(ranges: readonly AddressRange[]): boolean {
  return subtractRanges(ranges, parsedAll(NON_PUBLIC_RANGES)).length > 0;
}

/** The ranges the gateway excludes (GATEWAY_EXCLUDED_RANGES, plus a cluster's own) that `ranges` still reaches, at least in part. */
export function internalRangesReached(
  ranges: readonly AddressRange[],
  clusterRanges: readonly string[] = [],
): string[] {
  return [...GATEWAY_EXCLUDED_RANGES, ...clusterRanges].filter((cidr) => {
    const internal = parseCidr(cidr);
    return (
      internal !== undefined &&
      ranges.some((r) => r.family === internal.family && r.start <= internal.end && r.end >= internal.start)
    );
  });
}

/**
 * Whether a string is an IP address or CIDR (in any form ipaddr.js reads, `10.0` and `0xa.0.0.1`
 * included: a host that only looks like a name to Kubernetes is still an address to a resolver).
 */
export function isAddressLiteral(value: string): boolean {
  const v = value.trim();
  return ipaddr.isValid(v) || ipaddr.isValidCIDR(v) || ipaddr.isValid(v.replace(/^\[|\]$/g, ""));
}

/** What a tenant may open: TENANT_OPENABLE_RANGES plus the cluster's own, minus metadata and NAT64 whatever overlaps them. */
export function tenantOpenableRanges(clusterRanges: readonly string[] = []): AddressRange[] {
  return subtractRanges(
    parsedAll([...TENANT_OPENABLE_RANGES, ...clusterRanges]),
    parsedAll(NEVER_TENANT_OPENABLE_RANGES),
  );
}

/** Whether `ranges` reach any address a tenant may not open (public space, link-local metadata, NAT64, loopback). */
export function reachesBeyondTenantOpenable(
  ranges: readonly AddressRange[],
  clusterRanges: readonly string[] = [],
): boolean {
  return subtractRanges(ranges, tenantOpenableRanges(clusterRanges)).length > 0;
}
