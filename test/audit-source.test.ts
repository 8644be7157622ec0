import { strict as assert } from "assert";
import { coversWindow, MIN_EVALUATED_SHARE, recordedAuditQueries } from "../cli/audit-source";
import { AUDIT_RECORDS } from "../components/audit-records";

/** A 30-day window: 43,200 evaluations a minute. */
const THIRTY_DAYS = { series: 1, expected: 43_200 };

describe("audit source: when the audit records stand in for the raw series", () => {
  it("reads records evaluated from the window's start, with the minutes a Prometheus restart skips", () => {
    assert.equal(coversWindow({ ...THIRTY_DAYS, evaluations: 43_200 - 15, fromStart: true }), true);
  });

  it("reads raw series when the records began after the window did", () => {
    assert.equal(coversWindow({ ...THIRTY_DAYS, evaluations: 43_200, fromStart: false }), false);
  });

  it("reads raw series when the rules stopped for more than 1% of the window (a day of 30)", () => {
    const aDayMissing = 43_200 - 1_440;
    assert.ok(aDayMissing < MIN_EVALUATED_SHARE * THIRTY_DAYS.expected);
    assert.equal(coversWindow({ ...THIRTY_DAYS, evaluations: aDayMissing, fromStart: true }), false);
  });

  it("sums each record over the stretch, 1 ms short of its start, with the --cluster matchers", () => {
    const queries = recordedAuditQueries(
      { gateway: { namespace: "istio-egress", releaseName: "gw" }, matchers: ['cluster="prod-eu"'] },
      3_600_000,
    );
    assert.equal(
      queries.refusedRequests,
      `sum by (tenant, destination_service_name, response_flags) (sum_over_time(${AUDIT_RECORDS.refusedRequests}{cluster="prod-eu"}[3599999ms]))`,
    );
    assert.equal(
      recordedAuditQueries(
        { gateway: { namespace: "istio-egress", releaseName: "gw" }, matchers: [] },
        60_000,
      ).requests,
      `sum by (tenant, destination_service_name) (sum_over_time(${AUDIT_RECORDS.requests}[59999ms]))`,
    );
  });
});
