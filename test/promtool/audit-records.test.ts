import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { AUDIT_COUNTERS, auditCounterExpr } from "../../components/audit-counters";
import { auditRecordGroup, AUDIT_RECORDS } from "../../components/audit-records";
import { FORWARDED, GatewayWorkload } from "../../components/egress-metrics";
import type { PrometheusRuleGroup } from "../../components/observability";
import { describeWithPrometheusTools, runPromtool } from "../support/prometheus-tools";

/** The gateway test/promtool/audit-records.test.yaml was written for. */
const GATEWAY: GatewayWorkload = { namespace: "istio-egress", releaseName: "istio-egressgateway" };
const UNIT_TESTS = path.join(__dirname, "audit-records.test.yaml");
const RULE_FILE = "mesh-egress-audit-records.yaml";

/** Runs the unit tests against `group` written as the rule file they load. */
function unitTests(group: PrometheusRuleGroup) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-audit-records-"));
  try {
    fs.writeFileSync(path.join(dir, RULE_FILE), stringify({ groups: [group] }, { lineWidth: 0 }));
    fs.copyFileSync(UNIT_TESTS, path.join(dir, path.basename(UNIT_TESTS)));
    return {
      check: runPromtool(["check", "rules", RULE_FILE], dir),
      test: runPromtool(["test", "rules", path.basename(UNIT_TESTS)], dir),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The group with one record's expression rewritten. */
function withRecord(record: string, rewrite: (expr: string) => string): PrometheusRuleGroup {
  const group = auditRecordGroup(GATEWAY);
  return {
    ...group,
    rules: group.rules.map((r) =>
      "record" in r && r.record === record ? { ...r, expr: rewrite(r.expr) } : r,
    ),
  };
}

describeWithPrometheusTools("the audit records under the real promtool", () => {
  it("pass promtool check rules and every unit test: one-off series, refused traffic, bytes, resets", () => {
    const { check, test } = unitTests(auditRecordGroup(GATEWAY));
    assert.equal(check.status, 0, check.output);
    assert.match(check.output, /SUCCESS: 9 rules found/);
    assert.equal(test.status, 0, test.output);
  });

  it("are failed by the unit tests when the bytes record counts refused traffic's bytes", () => {
    const { test } = unitTests(
      withRecord(AUDIT_RECORDS.egressBytes, (e) => e.split(`, ${FORWARDED}`).join("")),
    );
    assert.equal(test.status, 1, test.output);
    // The local reply's request bytes (payments → unknown) now count as egress.
    assert.match(test.output, /got: .*\{destination_service_name="unknown", tenant="payments"\}/);
  });

  it("are failed by the unit tests when a record is an increase(), which loses a counter that never rises", () => {
    const asIncrease = auditCounterExpr(AUDIT_COUNTERS.requests, GATEWAY, [], (s) => `increase(${s}[1m])`);
    const { test } = unitTests(withRecord(AUDIT_RECORDS.requests, () => `${asIncrease} > 0`));
    assert.equal(test.status, 1, test.output);
    // The one-off request and the batch's burst are gone from the window.
    assert.match(test.output, /forwarded_requests:increment1m\[29m\]\)\)", time: 59m,\s+exp: .*\s+got: nil/);
  });
});
