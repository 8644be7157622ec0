/**
 * Break-glass: a time-bounded exception to the egress path. Every object an entry adds carries these,
 * so lint can judge break-glass objects it finds anywhere (a render, or a live cluster) from the
 * objects alone.
 */

/** Label: the id of the break-glass entry that added the object. */
export const BREAK_GLASS_LABEL = "mesh-egress.io/break-glass";
/** Label: the entry's scope, `direct` (around the gateway) or `grant` (through it). */
export const BREAK_GLASS_SCOPE_LABEL = "mesh-egress.io/break-glass-scope";
/** Annotation: when the entry expires, RFC 3339. */
export const EXPIRES_AT_ANNOTATION = "mesh-egress.io/expires-at";
/** Annotation: why the exception exists. */
export const REASON_ANNOTATION = "mesh-egress.io/reason";
/** Annotation: the change or incident ticket that approved it. */
export const TICKET_ANNOTATION = "mesh-egress.io/ticket";
/** Annotation: who approved it. */
export const APPROVED_BY_ANNOTATION = "mesh-egress.io/approved-by";

export const BREAK_GLASS_SCOPES = ["direct", "grant"] as const;
export type BreakGlassScope = (typeof BREAK_GLASS_SCOPES)[number];

/** The longest an entry may last, per tier, unless the stack lowers it. */
export const BREAK_GLASS_MAX_HOURS = { dev: 7 * 24, prod: 24 } as const;

/** Below this much time left, an entry is flagged as about to expire. */
export const BREAK_GLASS_WARNING_HOURS = 2;

/** RFC 3339 date-time with an explicit offset (`2026-11-29T18:00:00Z`, `…+01:00`): what `expiresAt` takes. */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/;

/** Milliseconds since the epoch of an RFC 3339 date-time, or undefined when it is not one (or not a real date). */
export function parseRfc3339(value: string): number | undefined {
  const match = RFC3339.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number);
  const offset = match[9] === undefined ? 0 : Number(match[9]) * 60 + Number(match[10]);
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 60 || offset > 23 * 60 + 59) return undefined;
  // Date.UTC rolls 31 February over into March: a date that does not round-trip is not a date.
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return undefined;
  const ms = Date.parse(value.toUpperCase());
  return Number.isNaN(ms) ? undefined : ms;
}
