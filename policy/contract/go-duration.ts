/**
 * Durations as cert-manager reads them: Go's `time.ParseDuration` format (`2160h`, `90m`, `1h30m`).
 * Days are not a unit there, so `90d` is refused rather than misread.
 */
const GO_DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;

const SECONDS_PER_UNIT: Readonly<Record<string, number>> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};

export function isGoDuration(text: string): boolean {
  return GO_DURATION.test(text);
}

/** Seconds in a Go duration; throws on anything `time.ParseDuration` would refuse. */
export function goDurationSeconds(text: string): number {
  if (!isGoDuration(text)) throw new Error(`"${text}" is not a Go duration such as 2160h or 90m`);
  let seconds = 0;
  for (const [, amount, unit] of text.matchAll(PART)) seconds += Number(amount) * SECONDS_PER_UNIT[unit];
  return seconds;
}

/** "2160h (90 days)": the value as written plus the days a reviewer thinks in. */
export function describeDuration(text: string): string {
  const days = goDurationSeconds(text) / 86400;
  return days >= 1 ? `${text} (${Number.isInteger(days) ? days : days.toFixed(1)} days)` : text;
}
