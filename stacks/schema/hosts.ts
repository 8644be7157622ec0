import { z } from "zod";
import { isAddressLiteral, normaliseCidr } from "../../policy/mesh/address-ranges";
import { isDnsSubdomain } from "./values/kubernetes-values";

/** An external host name: a fully qualified DNS name, never a wildcard, an IP or an in-cluster name. */
export const externalHost = z
  .string()
  .max(253, "must be at most 253 characters")
  .superRefine((host, ctx) => {
    if (host.includes("*")) {
      ctx.addIssue({
        code: "custom",
        message: `wildcard host "${host}" is not allowed: list each host explicitly (a wildcard cannot resolve by DNS at the gateway)`,
      });
    } else if (isAddressLiteral(host)) {
      ctx.addIssue({
        code: "custom",
        message: `IP host "${host}" is not allowed: declare the DNS name, and pin its addresses with pinnedAddresses`,
      });
    } else if (!isDnsSubdomain(host) || !host.includes(".")) {
      ctx.addIssue({
        code: "custom",
        message: `"${host}" is not a fully qualified lowercase DNS name (e.g. api.stripe.com; each label at most 63 characters)`,
      });
    } else if (/^[0-9]+$/.test(host.slice(host.lastIndexOf(".") + 1))) {
      ctx.addIssue({
        code: "custom",
        message: `"${host}" ends in a numeric label: no top-level domain is numeric, so resolvers read it as an address`,
      });
    } else if (/\.(svc|cluster\.local|local)$/.test(host)) {
      ctx.addIssue({
        code: "custom",
        message: `"${host}" is an in-cluster name: only services outside the cluster belong in the egress registry`,
      });
    } else if (/\.(internal|localhost|home\.arpa)$/.test(host)) {
      // Reserved for private networks (ICANN's .internal, RFC 6761, RFC 8375): metadata.google.internal is one.
      ctx.addIssue({
        code: "custom",
        message: `"${host}" is in a private-use domain (.internal, .localhost, .home.arpa), never on the internet: only services outside the cluster belong in the egress registry`,
      });
    }
  });

/** A CIDR block, IPv4 (four decimal parts) or IPv6, in its canonical form; refused when it does not parse. */
export const cidr = z.string().transform((value, ctx) => {
  const normalised = normaliseCidr(value);
  if (normalised === undefined) {
    ctx.addIssue({
      code: "custom",
      message: `"${value}" is not a CIDR block such as 203.0.113.0/24 or 2001:db8::/32 (IPv4 as four decimal parts)`,
    });
    return z.NEVER;
  }
  return normalised;
});
