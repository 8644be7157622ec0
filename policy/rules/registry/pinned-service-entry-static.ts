import { KIND, KubernetesObject, PINNED_ADDRESSES_ANNOTATION } from "../../contract";
import { formatAddress, parseAddress, parseCidr, reachesPublicAddresses } from "../../mesh/address-ranges";
import { annotationsOf, fieldsList, specOf, text } from "../../mesh/object-fields";
import { ResourceRule, Violation, violation } from "../../engine/rule";

/** Pinning: a service pinned to addresses is reached at those addresses only, and a narrowed port is narrow. */

/** An address in canonical form (IPv6 compressed, IPv4-mapped as IPv4); undefined when it is not one. */
function canonicalAddress(value: string): string | undefined {
  const address = parseAddress(value);
  return address && formatAddress(address);
}

export const pinnedServiceEntryStatic: ResourceRule = {
  name: "pinned-service-entry-static",
  description:
    `A ServiceEntry whose hosts are pinned (annotation \`${PINNED_ADDRESSES_ANNOTATION}\`) resolves STATIC, with one ` +
    "endpoint per pinned address and nothing else. With DNS resolution, or a hostname endpoint, the gateway asks " +
    "DNS again and the pin (the answer to DNS drift and rebinding) holds only on paper.",
  severity: "high",
  concern: "registry",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Set resolution: STATIC with endpoints whose addresses are exactly the pinned public addresses.",
  kinds: [KIND.ServiceEntry],
  scope: "resource",
  check(entry: KubernetesObject): Violation[] {
    const declared = annotationsOf(entry)[PINNED_ADDRESSES_ANNOTATION];
    if (declared === undefined) return [];
    const pinned = declared.split(",").filter((a) => a.trim() !== "");
    const fix = `set spec.resolution to STATIC with one endpoint per pinned address (${pinned.join(", ")})`;
    const out: Violation[] = [];
    const wanted = new Set<string>();
    for (const address of pinned) {
      const canonical = canonicalAddress(address);
      if (canonical === undefined) {
        out.push(
          violation(entry, `pins "${address.trim()}", which is not an IP address`, "pin IP addresses only"),
        );
      } else {
        wanted.add(canonical);
      }
    }
    if (pinned.length === 0) {
      out.push(violation(entry, "is marked pinned but names no address", "list the pinned addresses"));
    }
    const resolution = text(specOf(entry).resolution) ?? "NONE";
    if (resolution !== "STATIC") {
      out.push(violation(entry, `is pinned but resolves with ${resolution}, so the gateway asks DNS`, fix));
    }
    const seen = new Set<string>();
    for (const endpoint of fieldsList(specOf(entry).endpoints)) {
      const address = text(endpoint.address) ?? "";
      const canonical = canonicalAddress(address);
      if (canonical === undefined) {
        out.push(violation(entry, `has endpoint "${address}", a name the gateway resolves by DNS`, fix));
        continue;
      }
      seen.add(canonical);
      const range = parseCidr(`${canonical}/${canonical.includes(":") ? 128 : 32}`);
      if (!wanted.has(canonical)) {
        out.push(
          violation(entry, `has endpoint ${canonical}, which is not one of the pinned addresses`, fix),
        );
      } else if (range && !reachesPublicAddresses([range])) {
        out.push(
          violation(entry, `pins ${canonical}, which is not a public address`, "pin public addresses only"),
        );
      }
    }
    const missing = [...wanted].filter((a) => !seen.has(a));
    if (resolution === "STATIC" && missing.length > 0) {
      out.push(violation(entry, `has no endpoint for pinned address(es) ${missing.join(", ")}`, fix));
    }
    return out;
  },
};
