import type { BreakGlassEntry } from "../stacks/model/break-glass";
import type { EgressConfig } from "../stacks/model/egress-config";
import { breakGlassGrants } from "../stacks/relations/grants";

/** A Prometheus duration of one unit (30d, 12h, 90m): what the audit window and timeout accept. */
const DURATION = /^([1-9][0-9]*)(ms|s|m|h|d|w|y)$/;
const MILLISECONDS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

export function durationMs(value: string): number | undefined {
  const match = DURATION.exec(value);
  return match ? Number(match[1]) * MILLISECONDS[match[2]] : undefined;
}

/**
 * The earliest an entry can have been in force: validation refuses an `expiresAt` further than the
 * stack's maximum from the time it is rendered, so it was rendered at most `maxHours` before expiry.
 */
export function breakGlassStartMs(entry: BreakGlassEntry, maxHours: number): number {
  return entry.expiresAtMs - maxHours * 3_600_000;
}

/** One stretch of the audit window, queried on its own: RFC 3339 bounds and its length as a PromQL range. */
export interface AuditSegment {
  readonly from: string;
  readonly to: string;
  readonly range: string;
}

/**
 * The window `since` up to `end`, cut where a break-glass grant comes into force or expires, so
 * traffic is classified by the entries in force while it flowed. No entry in the window: one stretch.
 */
export function auditSegments(config: EgressConfig, end: Date, since: string): AuditSegment[] {
  const endMs = end.getTime();
  const startMs = endMs - (durationMs(since) as number);
  const entries = breakGlassGrants(config).map((g) => g.source.entry);
  const cuts = [
    ...new Set(
      entries
        .flatMap((e) => [breakGlassStartMs(e, config.breakGlass.maxHours), e.expiresAtMs])
        .filter((ms) => ms > startMs && ms < endMs),
    ),
  ].sort((a, b) => a - b);
  if (cuts.length === 0)
    return [{ from: new Date(startMs).toISOString(), to: end.toISOString(), range: since }];
  const bounds = [startMs, ...cuts, endMs];
  return bounds.slice(1).flatMap((to, i) => {
    const seconds = Math.round((to - bounds[i]) / 1000);
    // A stretch under a second holds no scrape: nothing to ask for.
    return seconds < 1
      ? []
      : [{ from: new Date(bounds[i]).toISOString(), to: new Date(to).toISOString(), range: `${seconds}s` }];
  });
}
