import {
  AUDIT_COUNTERS,
  AUDIT_QUERY_NAMES,
  auditCounterLabels,
  AuditQueryName,
} from "../components/audit-counters";
import {
  AUDIT_RECORD_INTERVAL_MS,
  AUDIT_RECORDS,
  AUDIT_RECORDS_EVALUATED,
  AUDIT_RECORDS_VERSION,
} from "../components/audit-records";
import type { AuditScope } from "./audit-queries";
import type { PrometheusClient, VectorSample } from "./prometheus-client";

/** `--source`: raw Istio series, the audit records, or the records when they cover the whole window. */
export const SOURCE_CHOICES = ["auto", "raw", "recorded"] as const;
export type SourceChoice = (typeof SOURCE_CHOICES)[number];

/** Which series the audit's counts come from, and why: every output says it. */
export interface AuditSeriesSource {
  readonly series: "raw" | "recorded";
  readonly reason: string;
  /** Records read though they do not cover the window (`--source recorded`): the counts may be short. */
  readonly incomplete?: boolean;
}

/**
 * Share of the window's evaluations the records may miss and still be read by `auto`. A Prometheus
 * restart skips evaluations without losing counts (the next one looks back an hour for the previous
 * sample); evaluations skipped while scraping went on would lose that minute's counts.
 */
export const MIN_EVALUATED_SHARE = 0.99;

/** How steadily the audit records were evaluated over a window, per evaluating Prometheus (heartbeat series). */
export interface RecordCoverage {
  /** Heartbeat series in the window: one per Prometheus that evaluated the rules (its external labels). */
  readonly series: number;
  /** The fewest evaluations any of them made in the window, and how many a minute each would make. */
  readonly evaluations: number;
  readonly expected: number;
  /** Whether every one of them was already evaluating at the window's start. */
  readonly fromStart: boolean;
}

const labelKey = (s: VectorSample) => JSON.stringify(Object.entries(s.labels).sort());

/** Asks Prometheus since when, and how steadily, the audit records were evaluated over [startMs, endMs]. */
export async function recordCoverage(
  client: PrometheusClient,
  scope: AuditScope,
  startMs: number,
  endMs: number,
): Promise<RecordCoverage> {
  const heartbeat = `${AUDIT_RECORDS_EVALUATED}{${[`version="${AUDIT_RECORDS_VERSION}"`, ...scope.matchers].join(", ")}}`;
  const [inWindow, atStart] = await Promise.all([
    client.query(`count_over_time(${heartbeat}[${endMs - startMs}ms])`, new Date(endMs)),
    client.query(
      `count_over_time(${heartbeat}[${AUDIT_RECORD_INTERVAL_MS}ms])`,
      new Date(startMs + AUDIT_RECORD_INTERVAL_MS),
    ),
  ]);
  const started = new Set(atStart.map(labelKey));
  return {
    series: inWindow.length,
    evaluations: inWindow.length === 0 ? 0 : Math.min(...inWindow.map((s) => s.value)),
    expected: Math.floor((endMs - startMs) / AUDIT_RECORD_INTERVAL_MS),
    fromStart: inWindow.length > 0 && inWindow.every((s) => started.has(labelKey(s))),
  };
}

/** Whether `auto` reads the records: evaluated from the window's start, and at nearly every minute of it. */
export function coversWindow(coverage: RecordCoverage): boolean {
  return coverage.fromStart && coverage.evaluations >= MIN_EVALUATED_SHARE * coverage.expected;
}

function describeCoverage(coverage: RecordCoverage): string {
  const evaluated = Math.min(coverage.evaluations, coverage.expected);
  return (
    `rules evaluated in ${evaluated} of the window's ${coverage.expected} minutes` +
    `${coverage.fromStart ? "" : ", not from its start"} (${AUDIT_RECORDS_EVALUATED})`
  );
}

/** The choice made for `--source`, or why `--source recorded` cannot be honoured. */
export async function chooseAuditSource(
  choice: SourceChoice,
  client: PrometheusClient,
  scope: AuditScope,
  startMs: number,
  endMs: number,
): Promise<{ ok: true; source: AuditSeriesSource } | { ok: false; message: string }> {
  if (choice === "raw") return { ok: true, source: { series: "raw", reason: "--source raw" } };
  const coverage = await recordCoverage(client, scope, startMs, endMs);
  const matchers = scope.matchers.length > 0 ? ` with ${scope.matchers.join(", ")}` : "";
  const none = `no ${AUDIT_RECORDS_EVALUATED}{version="${AUDIT_RECORDS_VERSION}"}${matchers} in the window`;
  if (choice === "recorded") {
    if (coverage.series === 0)
      return {
        ok: false,
        message: `--source recorded: ${none}: are the audit records (PrometheusRule mesh-egress, group mesh-egress.audit-records) deployed? Use --source raw.`,
      };
    return {
      ok: true,
      source: {
        series: "recorded",
        reason: `--source recorded; ${describeCoverage(coverage)}`,
        ...(coversWindow(coverage) ? {} : { incomplete: true }),
      },
    };
  }
  if (coverage.series === 0) return { ok: true, source: { series: "raw", reason: none } };
  return coversWindow(coverage)
    ? {
        ok: true,
        source: { series: "recorded", reason: `they cover the window (${describeCoverage(coverage)})` },
      }
    : {
        ok: true,
        source: {
          series: "raw",
          reason: `the audit records do not cover the window (${describeCoverage(coverage)})`,
        },
      };
}

/**
 * The audit's PromQL on its records: each record's increments summed over a stretch of `rangeMs` that
 * ends at the query time. The range stops 1 ms short of the stretch's start, so a record at that very
 * instant (the samples of the minute before it) counts in the stretch before, never in both.
 */
export function recordedAuditQueries(scope: AuditScope, rangeMs: number): Record<AuditQueryName, string> {
  const matchers = scope.matchers.length > 0 ? `{${scope.matchers.join(", ")}}` : "";
  return Object.fromEntries(
    AUDIT_QUERY_NAMES.map((name) => [
      name,
      `sum by (${auditCounterLabels(AUDIT_COUNTERS[name]).join(", ")}) (sum_over_time(${AUDIT_RECORDS[name]}${matchers}[${rangeMs - 1}ms]))`,
    ]),
  ) as Record<AuditQueryName, string>;
}
