/**
 * The conformance harness: rendered objects and chart values checked against the official upstream schemas
 * of the pinned Istio, cert-manager and prometheus-operator versions (../shared/upstream, see PROVENANCE.md).
 *
 *   describeWithUpstreamSchemas("the dev render", (schemasDir) => {
 *     it("conforms to the upstream schemas", () => {
 *       const report = validateRenderedObjects(schemasDir, renderDocuments(config));
 *       assert.deepEqual(report.failures, [], formatConformanceReport(report));
 *     });
 *   });
 */
export { CrdCatalog, loadCrdCatalog } from "./crd-catalog";
export type { CelRuleInventory, CrdVersion } from "./crd-catalog";
export { checkChartValues, upstreamChartSchemas, validateChartValues } from "./chart-values";
export type { ChartValuesSchema } from "./chart-values";
export { formatOutcome, issuesOf } from "./conformance-outcome";
export type { ConformanceOutcome, SchemaIssue, UnevaluatedRule } from "./conformance-outcome";
export { describeWithUpstreamSchemas } from "./describe-with-upstream-schemas";
export { chartsInFluxReleases } from "./flux-helm-charts";
export { formatConformanceReport, validateRenderedObjects } from "./rendered-objects";
export type { ConformanceReport } from "./rendered-objects";
export { locateUpstreamSchemas, SCHEMAS_ENV_VAR, upstreamSchemasSearchPath } from "./upstream-location";
