import type { HelmChartSpec } from "../../components/kubernetes-object";
import { checkChartValues } from "./chart-values";
import { ConformanceOutcome, formatOutcome, UnevaluatedRule } from "./conformance-outcome";
import { loadCrdCatalog } from "./crd-catalog";
import { chartsInFluxReleases } from "./flux-helm-charts";

/** Every verdict on a render, grouped so a test can assert on failures and still print what it skipped. */
export interface ConformanceReport {
  readonly validated: Extract<ConformanceOutcome, { status: "validated" }>[];
  readonly skipped: Extract<ConformanceOutcome, { status: "skipped" }>[];
  readonly failures: Extract<ConformanceOutcome, { status: "failed" }>[];
  /** Built-in kinds the real API server validates in this run: not listed as skipped. */
  readonly delegated: Extract<ConformanceOutcome, { status: "delegated" }>[];
  /** CEL rules that applied to some node but could not be evaluated: neither passed nor failed. */
  readonly unevaluatedRules: (UnevaluatedRule & { readonly subject: string })[];
}

/**
 * Validates a whole render against the upstream schemas in `schemasDir`: each object through the CRD
 * catalog of every CRD there, each chart's values through its chart's values schema. The charts default
 * to those the render's Flux HelmReleases install, so `validateRenderedObjects(dir, render)` checks all.
 */
export function validateRenderedObjects(
  schemasDir: string,
  objects: readonly unknown[],
  charts: readonly HelmChartSpec[] = chartsInFluxReleases(objects),
): ConformanceReport {
  const catalog = loadCrdCatalog(schemasDir);
  const outcomes = [
    ...objects.map((object) => catalog.validate(object)),
    ...charts.map((chart) => checkChartValues(schemasDir, chart)),
  ];
  const report: ConformanceReport = {
    validated: [],
    skipped: [],
    failures: [],
    delegated: [],
    unevaluatedRules: [],
  };
  for (const outcome of outcomes) {
    if (outcome.status === "validated") report.validated.push(outcome);
    if (outcome.status === "skipped") report.skipped.push(outcome);
    if (outcome.status === "failed") report.failures.push(outcome);
    if (outcome.status === "delegated") report.delegated.push(outcome);
    if (outcome.status === "validated" || outcome.status === "failed") {
      report.unevaluatedRules.push(
        ...outcome.unevaluatedRules.map((rule) => ({ ...rule, subject: outcome.subject })),
      );
    }
  }
  return report;
}

/** A human summary: counts, then every failure issue, skipped subject and unevaluated rule, one per line. */
export function formatConformanceReport(report: ConformanceReport): string {
  const delegated = report.delegated.length > 0 ? `, ${report.delegated.length} left to the API server` : "";
  const counts = `${report.validated.length} validated, ${report.failures.length} failed, ${report.skipped.length} skipped${delegated}`;
  const unevaluated = report.unevaluatedRules.map(
    (r) => `${r.subject}: ${r.path}: rule not evaluated (${r.reason}): ${r.rule}`,
  );
  return [
    counts,
    ...report.failures.map(formatOutcome),
    ...report.skipped.map(formatOutcome),
    ...unevaluated,
  ].join("\n");
}
