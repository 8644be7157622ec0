import type { BreakGlassEntry, BreakGlassState } from "../stacks/model/break-glass";
import type { Table } from "./report-document";

/** One break-glass entry as the report lists it, active or expired. */
export interface BreakGlassReportEntry {
  readonly id: string;
  readonly status: "active" | "expired";
  readonly scope: string;
  readonly tenants: readonly string[];
  readonly service?: string;
  readonly expiresAt: string;
  /** Hours left at `evaluatedAt` (negative: hours since it expired), one decimal. */
  readonly hoursLeft: number;
  readonly ticket: string;
  readonly approvedBy: string;
  readonly reason: string;
}

export interface BreakGlassReport {
  readonly evaluatedAt: string;
  readonly maxHours: number;
  readonly entries: readonly BreakGlassReportEntry[];
}

function entryOf(entry: BreakGlassEntry, status: "active" | "expired", now: number): BreakGlassReportEntry {
  return {
    id: entry.id,
    status,
    scope: entry.scope,
    tenants: [...entry.tenants],
    ...(entry.service ? { service: entry.service } : {}),
    expiresAt: entry.expiresAt,
    hoursLeft: Math.round(((entry.expiresAtMs - now) / 3_600_000) * 10) / 10,
    ticket: entry.ticket,
    approvedBy: entry.approvedBy,
    reason: entry.reason,
  };
}

/** Every entry of the stack, active first, judged at the same instant as the config. */
export function buildBreakGlassReport(state: BreakGlassState): BreakGlassReport {
  const now = Date.parse(state.evaluatedAt);
  return {
    evaluatedAt: state.evaluatedAt,
    maxHours: state.maxHours,
    entries: [
      ...state.active.map((e) => entryOf(e, "active", now)),
      ...state.expired.map((e) => entryOf(e, "expired", now)),
    ],
  };
}

export function breakGlassTable(report: BreakGlassReport): Table {
  return {
    columns: [
      "id",
      "status",
      "scope",
      "tenants",
      "service",
      "expires at",
      "hours left",
      "ticket",
      "approved by",
      "reason",
    ],
    rows: report.entries.map((e) => [
      e.id,
      e.status === "expired"
        ? "EXPIRED (renders nothing)"
        : e.scope === "direct"
          ? "ACTIVE, around the gateway"
          : "ACTIVE",
      e.scope,
      e.tenants.join(", "),
      e.service ?? (e.scope === "direct" ? "all they are allowed" : ""),
      e.expiresAt,
      String(e.hoursLeft),
      e.ticket,
      e.approvedBy,
      e.reason,
    ]),
  };
}
