import { z } from "zod";
import {
  formatAddress,
  internalRangesReached,
  parseAddress,
  parseCidr,
} from "../../../policy/mesh/address-ranges";

/**
 * Addresses of a node-local DNS cache (NodeLocal DNSCache: a host-network agent on 169.254.20.10, often
 * also on the kube-dns Service IP). A NetworkPolicy podSelector never matches a host-network process, so
 * every policy that allows DNS also allows these addresses by ipBlock, on port 53 only.
 */
export const nodeLocalDnsAddress = z.string().transform((value, ctx) => {
  const trimmed = value.trim();
  const block = trimmed.includes("/") ? parseCidr(trimmed) : parseAddress(trimmed);
  if (block === undefined || block.start !== block.end) {
    ctx.addIssue({
      code: "custom",
      message: `"${value}" is not one IP address: give the address the node-local DNS cache listens on, e.g. 169.254.20.10 (NodeLocal DNSCache's default)`,
    });
    return z.NEVER;
  }
  return formatAddress(block);
});

/**
 * Whether a node-local DNS address lies inside the cluster (the internal ranges, or the cluster's own
 * `internalCidrs`). A public address would open port 53 to the internet for every tenant.
 */
export function isClusterDnsAddress(address: string, clusterRanges: readonly string[]): boolean {
  const block = parseAddress(address);
  return block !== undefined && internalRangesReached([block], clusterRanges).length > 0;
}
