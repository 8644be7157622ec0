import * as ipaddr from "ipaddr.js";
import { GATEWAY_EXCLUDED_RANGES } from "../../../policy/contract";
import { internalRangesReached, parseCidr } from "../../../policy/mesh/address-ranges";

/**
 * Address space the gateway must never reach (private, shared, loopback, link-local: the cloud
 * metadata endpoint), split by family for NetworkPolicy `except` lists. One list, owned by the policy
 * pack, so the program excludes exactly what the guardrail rule checks for.
 */
export const INTERNAL_IPV4_RANGES: readonly string[] = GATEWAY_EXCLUDED_RANGES.filter(
  (range) => ipaddr.parseCIDR(range)[0].kind() === "ipv4",
);
export const INTERNAL_IPV6_RANGES: readonly string[] = GATEWAY_EXCLUDED_RANGES.filter(
  (range) => ipaddr.parseCIDR(range)[0].kind() === "ipv6",
);

/** The ranges a cluster's gateway must except, per family: the shared list plus `cluster.internalCidrs`. */
export function clusterInternalRanges(config: {
  readonly cluster: { readonly internalCidrs: readonly string[] };
}): {
  readonly ipv4: string[];
  readonly ipv6: string[];
} {
  const own = config.cluster.internalCidrs;
  const family = (block: string) => ipaddr.parseCIDR(block)[0].kind();
  return {
    ipv4: [...new Set([...INTERNAL_IPV4_RANGES, ...own.filter((b) => family(b) === "ipv4")])],
    ipv6: [...new Set([...INTERNAL_IPV6_RANGES, ...own.filter((b) => family(b) === "ipv6")])],
  };
}

/** True when the block overlaps any internal range, or does not parse. */
export function isInternalCidr(block: string): boolean {
  const range = parseCidr(block);
  // An unparseable block is never "not internal": the schema refuses it before this is asked.
  return range === undefined || internalRangesReached([range]).length > 0;
}
