import { z } from "zod";
import {
  AddressRange,
  formatAddress,
  formatRange,
  parseAddress,
  parseCidr,
  reachesPublicAddresses,
} from "../../../policy/mesh/address-ranges";
import { isInternalCidr } from "./internal-ranges";

/**
 * One pinned address of an external service: an IP address, or a CIDR that names one host (`/32`,
 * `/128`). Istio's STATIC endpoints are addresses, not ranges (ServiceEntry `endpoints[].address`), so a
 * wider range is refused rather than expanded or silently narrowed. Normalised to the bare address
 * (IPv6 in RFC 5952 form, IPv4-mapped IPv6 as IPv4) so duplicates and policy checks compare equal.
 */
export const pinnedAddress = z.string().transform((value, ctx) => {
  const refuse = (message: string) => {
    ctx.addIssue({ code: "custom", message });
    return z.NEVER;
  };
  const trimmed = value.trim();
  // The project's one address parser: IPv4 only as four decimal parts, IPv4-mapped IPv6 read as IPv4.
  const block = trimmed.includes("/") ? parseCidr(trimmed) : parseAddress(trimmed);
  if (block === undefined) {
    return refuse(
      `"${value}" is not an IP address such as 203.0.113.10 or 2001:db8::10 (IPv4 as four decimal parts)`,
    );
  }
  const canonical = formatRange(block);
  const width = block.family === 4 ? 32n : 128n;
  if (block.end - block.start + 1n === 1n << width) {
    return refuse(`${trimmed} is the whole address family: it pins nothing; list the partner's addresses`);
  }
  if (block.start !== block.end) {
    return refuse(
      `${trimmed} is a range, but the gateway connects to STATIC endpoints, which are single addresses (Istio has no range endpoint): list each address the partner publishes (e.g. ${formatAddress(block)})`,
    );
  }
  const normalised = formatAddress(block);
  const embedded = embeddedIpv4(block);
  if (embedded !== undefined) {
    return refuse(
      `${normalised} is an IPv4-compatible or IPv4-translated IPv6 address (::/96, ::ffff:0:0:0/96) that embeds ${embedded}: pin ${embedded} itself, where the public-address checks apply`,
    );
  }
  if (isInternalCidr(canonical)) {
    return refuse(
      `${normalised} is in private, shared, loopback, link-local or NAT64 space; the gateway may only reach public addresses`,
    );
  }
  if (!reachesPublicAddresses([block])) {
    return refuse(
      `${normalised} is a multicast, reserved or unspecified address, not a public one: the gateway cannot connect to it`,
    );
  }
  return normalised;
});

/**
 * The IPv4 address an IPv4-compatible (`::a.b.c.d`, deprecated) or IPv4-translated (`::ffff:0:a.b.c.d`, SIIT)
 * IPv6 address carries, or undefined: a translator would reach it, private ranges included.
 */
function embeddedIpv4(block: { family: 4 | 6; start: bigint }): string | undefined {
  if (block.family !== 6) return undefined;
  const high = block.start >> 32n;
  if (high !== 0n && high !== 0xffff0000n) return undefined;
  const low = block.start & 0xffffffffn;
  // :: and ::1 are the unspecified and loopback addresses, refused below as such.
  if (high === 0n && low <= 1n) return undefined;
  return [24n, 16n, 8n, 0n].map((shift) => String((low >> shift) & 0xffn)).join(".");
}

/** A service's pinned addresses: at least one, each once. */
export const pinnedAddresses = z
  .array(pinnedAddress)
  .min(1, "list at least one address, or remove pinnedAddresses to resolve the hosts by DNS")
  .superRefine((addresses, ctx) => {
    const seen = new Map<string, number>();
    addresses.forEach((address, i) => {
      const earlier = seen.get(address);
      if (earlier !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: [i],
          message: `${address} is listed twice (also [${earlier}])`,
        });
      } else {
        seen.set(address, i);
      }
    });
  });

/** The NetworkPolicy ipBlock CIDR that admits exactly one pinned address. */
export function hostCidr(address: string): string {
  return formatRange(parseAddress(address) as AddressRange);
}
