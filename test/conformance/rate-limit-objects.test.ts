import { strict as assert } from "assert";
import { renderDocuments } from "../../cli/render";
import { globalLimiterConfig } from "../support/rate-limit-fixtures";
import {
  describeWithUpstreamSchemas,
  formatConformanceReport,
  validateRenderedObjects,
} from "../support/upstream-schemas";

describeWithUpstreamSchemas("a render with the global rate limiter and its own Redis", (schemasDir) => {
  it("validates its EnvoyFilters and PrometheusRule against the CRDs, and checks the built-in kinds' metadata", () => {
    const report = validateRenderedObjects(schemasDir, renderDocuments(globalLimiterConfig()));
    assert.deepEqual(report.failures, [], formatConformanceReport(report));
    const validated = report.validated.map((o) => o.subject).join("\n");
    assert.match(validated, /EnvoyFilter istio-egress\/istio-egressgateway-http-rate-limits/);
    assert.match(validated, /PrometheusRule istio-egress\/ratelimit-alerts/);
  });
});
