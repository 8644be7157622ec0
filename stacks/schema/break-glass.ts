import { z } from "zod";
import { parseRfc3339 } from "../../policy/contract";
import { modesWhere, type RoutingMode } from "../routing-modes";

/**
 * The schema of a break-glass entry: time-bounded exceptions to the egress path, each checked on its own.
 * Names, the tier's maximum and expiry are checked in validation/validate-break-glass.ts.
 */

/** "required" only when absent: a YAML number or timestamp is there, but must be quoted to be text. */
const missingOrNotText = (field: string, missing: string) => (issue: { input?: unknown }) =>
  issue.input === undefined
    ? missing
    : `${field} must be text: quote it in YAML (${field}: "${issue.input instanceof Date ? issue.input.toISOString() : String(issue.input)}")`;

const required = (field: string, maxLength: number) =>
  z
    .string({
      error: missingOrNotText(
        field,
        `${field} is required: every break-glass entry says why, who approved it and until when`,
      ),
    })
    .trim()
    .min(1, `${field} must not be empty`)
    // Written as an annotation on every object the entry adds: the API server refuses annotations over 256 KiB in all.
    .max(
      maxLength,
      `${field} must be at most ${maxLength} characters (it is an annotation on every object the entry adds)`,
    );

const entryId = z
  .string({ error: "id is required" })
  .max(40, "must be at most 40 characters (it prefixes object names)")
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a DNS-1123 label: lowercase letters, digits and '-'");

const tenantName = z.string().min(1);

/** Modes a grant's own destination may use: the gateway knows the caller, and no client certificate is needed. */
export const GRANT_DESTINATION_MODES = modesWhere(
  (traits) => traits.identityAtGateway && !traits.clientCertificate,
) as [RoutingMode, ...RoutingMode[]];

/** A host a `grant` entry reaches before it is in the registry. */
export interface GrantDestination {
  readonly host: string;
  readonly port: number;
  readonly mode: RoutingMode;
}

export const breakGlassEntrySchema = z.strictObject({
  id: entryId,
  reason: required("reason", 4096),
  ticket: required("ticket", 256),
  approvedBy: required("approvedBy", 256),
  expiresAt: z
    .string({
      error: missingOrNotText(
        "expiresAt",
        "expiresAt is required: an RFC 3339 time such as 2026-11-30T06:00:00Z",
      ),
    })
    .refine((value) => parseRfc3339(value) !== undefined, {
      message: "must be an RFC 3339 time with an offset, such as 2026-11-30T06:00:00Z",
    })
    // RFC 3339 allows a lowercase t and z; the API server's CEL timestamp() (Go's parser) does not.
    .transform((value) => value.toUpperCase()),
  // One object with one key, not a union: a union would hide the inner field's path-qualified error.
  scope: z
    .strictObject({
      /** Named tenants reach their allowed services directly, around the gateway (gateway outage). */
      direct: z.strictObject({ tenants: z.array(tenantName).min(1, "name at least one tenant") }).optional(),
      /** One tenant reaches, through the gateway, a registered service it is not allowed or a host not yet registered. */
      grant: z
        .strictObject({
          tenant: tenantName,
          service: z.string().min(1).optional(),
          destination: z
            .strictObject({
              host: z.string().min(1),
              port: z.number().int().min(1).max(65535).default(443),
              mode: z.enum(GRANT_DESTINATION_MODES, {
                error: `must be one of ${GRANT_DESTINATION_MODES.join(", ")} (the gateway checks the caller's identity; no client certificate to provision)`,
              }),
            })
            .optional(),
        })
        .refine((grant) => (grant.service === undefined) !== (grant.destination === undefined), {
          message:
            "name either a registered service or a destination {host, port, mode} not yet in the registry, not both",
        })
        .optional(),
    })
    .refine((scope) => (scope.direct === undefined) !== (scope.grant === undefined), {
      message:
        "scope must be {direct: {tenants: [...]}} or {grant: {tenant, service}} or {grant: {tenant, destination: {host, port, mode}}}",
    }),
});

/** `mesh-egress:breakGlassMaxHours`: lowers the tier's maximum lifetime of an entry. */
export const breakGlassMaxHoursSchema = z.number().int().min(1, "must be at least 1 hour");

export type BreakGlassEntryInput = z.output<typeof breakGlassEntrySchema>;
