import { BREAK_GLASS_MAX_HOURS, type BreakGlassScope, parseRfc3339 } from "../../policy/contract";
import type { BreakGlassEntryInput, GrantDestination } from "../schema/break-glass";
import type { Environment } from "../schema/environment";

/**
 * Break-glass entries as the model holds them: each flattened for builders and reports, and judged at an
 * injected `now` (nothing here reads the clock): `partitionBreakGlass` splits active from expired.
 */

/** One validated entry, with its scope flattened for builders and reports. */
export interface BreakGlassEntry {
  /** Position in `breakGlass`, for path-qualified messages. */
  readonly index: number;
  readonly id: string;
  readonly reason: string;
  readonly ticket: string;
  readonly approvedBy: string;
  /** As written (RFC 3339); `expiresAtMs` is the same instant. */
  readonly expiresAt: string;
  readonly expiresAtMs: number;
  readonly scope: BreakGlassScope;
  /** `direct`: the tenants that go around the gateway; `grant`: the one tenant granted. */
  readonly tenants: readonly string[];
  /** `grant`: the service granted (for a `destination`, the temporary service `break-glass-<id>`). */
  readonly service?: string;
  /** `grant`: the unregistered host granted, registered by the entry while it lasts. */
  readonly destination?: GrantDestination;
}

/** Prefixes every object name an entry adds (`break-glass-<id>`, `break-glass-<id>-<service>`): registered services may not use it. */
export const BREAK_GLASS_NAME_PREFIX = "break-glass-";

/** The name of the temporary service a `grant` entry's destination is registered under. */
export const temporaryServiceName = (id: string) => `${BREAK_GLASS_NAME_PREFIX}${id}`;

/** Every entry of a stack, split at `now`: only active entries render anything. */
export interface BreakGlassState {
  /** The instant the entries were judged at (RFC 3339): `--now`, MESH_EGRESS_NOW, or the clock. */
  readonly evaluatedAt: string;
  /** The longest an entry may last here, in hours: the tier's maximum or the stack's lower value. */
  readonly maxHours: number;
  readonly active: readonly BreakGlassEntry[];
  readonly expired: readonly BreakGlassEntry[];
}

export function toBreakGlassEntry(input: BreakGlassEntryInput, index: number): BreakGlassEntry {
  const common = {
    index,
    id: input.id,
    reason: input.reason,
    ticket: input.ticket,
    approvedBy: input.approvedBy,
    expiresAt: input.expiresAt,
    expiresAtMs: parseRfc3339(input.expiresAt) as number,
  };
  if (input.scope.direct) return { ...common, scope: "direct", tenants: [...input.scope.direct.tenants] };
  // The schema lets exactly one of direct and grant through.
  const { tenant, service, destination } = input.scope.grant as NonNullable<typeof input.scope.grant>;
  return destination
    ? { ...common, scope: "grant", tenants: [tenant], service: temporaryServiceName(input.id), destination }
    : { ...common, scope: "grant", tenants: [tenant], service };
}

/** Active (now < expiresAt) and expired entries, in config order. */
export function partitionBreakGlass(
  entries: readonly BreakGlassEntry[],
  environment: Environment,
  maxHours: number | undefined,
  now: Date,
): BreakGlassState {
  return {
    evaluatedAt: now.toISOString(),
    maxHours: Math.min(maxHours ?? BREAK_GLASS_MAX_HOURS[environment], BREAK_GLASS_MAX_HOURS[environment]),
    active: entries.filter((e) => now.getTime() < e.expiresAtMs),
    expired: entries.filter((e) => now.getTime() >= e.expiresAtMs),
  };
}

/** One line per expired entry, for `render` (stderr) and `pulumi up` (a warning). */
export function expiredBreakGlassWarnings(state: BreakGlassState): string[] {
  return state.expired.map(
    (e) =>
      `break-glass "${e.id}" (breakGlass[${e.index}], ticket ${e.ticket}) expired at ${e.expiresAt} ` +
      `and renders nothing: remove it from the stack file`,
  );
}
