/**
 * The conformance harness: rendered objects and chart values checked against the official upstream schemas
 * of the pinned Istio, cert-manager and prometheus-operator versions (../shared/upstream, see PROVENANCE.md).
 */
import * as fs from "fs";
import * as path from "path";

export { CrdCatalog, loadCrdCatalog } from "./crd-catalog";
export type { CelRuleInventory, CrdVersion } from "./crd-catalog";
export { checkChartValues, upstreamChartSchemas, validateChartValues } from "./chart-values";
export type { ChartValuesSchema } from "./chart-values";
export { formatOutcome, issuesOf } from "./conformance-outcome";
export type { ConformanceOutcome, SchemaIssue, UnevaluatedRule } from "./conformance-outcome";
export { chartsInFluxReleases } from "./flux-helm-charts";
export { formatConformanceReport, validateRenderedObjects } from "./rendered-objects";
export type { ConformanceReport } from "./rendered-objects";

export const SCHEMAS_ENV_VAR = "MESH_EGRESS_SCHEMAS";

const REPO_ROOT = path.resolve(__dirname, "..", "..");

interface SchemaLocationOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly repoRoot?: string;
}

/** Where the schemas are looked for: `$MESH_EGRESS_SCHEMAS` when set, else `../shared/upstream` beside the repo. */
export function upstreamSchemasSearchPath({
  env = process.env,
  repoRoot = REPO_ROOT,
}: SchemaLocationOptions = {}): string {
  const fromEnv = env[SCHEMAS_ENV_VAR];
  return fromEnv ? path.resolve(fromEnv) : path.resolve(repoRoot, "..", "shared", "upstream");
}

/** The upstream schemas directory, or undefined when it does not exist (tests then report themselves skipped). */
export function locateUpstreamSchemas(options: SchemaLocationOptions = {}): string | undefined {
  const candidate = upstreamSchemasSearchPath(options);
  return fs.existsSync(candidate) && fs.statSync(candidate).isDirectory() ? candidate : undefined;
}
