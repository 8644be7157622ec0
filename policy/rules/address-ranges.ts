import * as ipaddr from "ipaddr.js";
import { INTERNAL_RANGES } from "../contract";

/** A contiguous block of addresses of one family, as inclusive integer bounds. */
export interface AddressRange {
  readonly family: 4 | 6;
  readonly start: bigint;
  readonly end: bigint;
}

/** Everything that is not public internet: the internal ranges plus unspecified, multicast and reserved space. */
const NON_PUBLIC_RANGES: readonly string[] = [
  ...INTERNAL_RANGES,
  "0.0.0.0/8",
  "224.0.0.0/4",
  "240.0.0.0/4",
  "::/128",
  "ff00::/8",
];

/** Parses "10.0.0.0/8" or "::/0" (host bits are masked off); undefined when it is not a CIDR. */
export function parseCidr(cidr: string): AddressRange | undefined {
  const trimmed = cidr.trim();
  const valid = ipaddr.IPv4.isValidCIDRFourPartDecimal(trimmed) || ipaddr.IPv6.isValidCIDR(trimmed);
  if (!valid) return undefined;
  const [address, bits] = ipaddr.parseCIDR(trimmed);
  const family = address.kind() === "ipv4" ? 4 : 6;
  const width = family === 4 ? 32 : 128;
  const value = address.toByteArray().reduce((acc, byte) => (acc << 8n) | BigInt(byte), 0n);
  const hostBits = BigInt(width - bits);
  const start = (value >> hostBits) << hostBits;
  const end = start + (1n << hostBits) - 1n;
  return { family, start, end };
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

/** Whether any public internet address is inside `ranges`. */
export function reachesPublicAddresses(ranges: readonly AddressRange[]): boolean {
  return subtractRanges(ranges, parsedAll(NON_PUBLIC_RANGES)).length > 0;
}

/** The internal ranges (INTERNAL_RANGES, plus a cluster's own) that `ranges` still reaches, at least in part. */
export function internalRangesReached(
  ranges: readonly AddressRange[],
  clusterRanges: readonly string[] = [],
): string[] {
  return [...INTERNAL_RANGES, ...clusterRanges].filter((cidr) => {
    const internal = parseCidr(cidr);
    return (
      internal !== undefined &&
      ranges.some((r) => r.family === internal.family && r.start <= internal.end && r.end >= internal.start)
    );
  });
}

/** Whether a string is an IP address or CIDR (IPv4 dotted quad or IPv6), as opposed to a DNS name. */
export function isAddressLiteral(value: string): boolean {
  const v = value.trim();
  return (
    ipaddr.IPv4.isValidFourPartDecimal(v) ||
    ipaddr.IPv6.isValid(v) ||
    ipaddr.IPv4.isValidCIDRFourPartDecimal(v) ||
    ipaddr.IPv6.isValidCIDR(v)
  );
}
