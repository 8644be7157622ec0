import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { breakGlassRuleGroups } from "../../components/break-glass";
import type { BreakGlassEntry } from "../../stacks/model/break-glass";
import { describeWithPrometheusTools, runPromtool } from "../support/prometheus-tools";

/** promtool's unit tests start at the epoch: this entry expires two hours in. */
const ENTRY: BreakGlassEntry = {
  index: 0,
  id: "gw-outage",
  reason: "egress gateway down",
  ticket: "INC-4711",
  approvedBy: "oncall-lead@example.com",
  expiresAt: "1970-01-01T02:00:00Z",
  expiresAtMs: 2 * 3_600_000,
  scope: "direct",
  tenants: ["payments"],
};

const LABELS = { break_glass: "gw-outage", scope: "direct", ticket: "INC-4711" };

/** The annotations promtool compares too, as the builder wrote them. */
function annotationsOf(alert: string): Record<string, string> {
  const rule = breakGlassRuleGroups([ENTRY])[0].rules.find((r) => "alert" in r && r.alert === alert);
  return rule && "alert" in rule ? { ...rule.annotations } : {};
}

/** One promtool test case: both alerts evaluated at `eval_time`, each expected firing or quiet. */
function atTime(evalTime: string, firing: { active: boolean; overdue: boolean }) {
  return {
    interval: "1m",
    input_series: [{ series: 'up{job="prometheus"}', values: "1x300" }],
    alert_rule_test: [
      {
        eval_time: evalTime,
        alertname: "MeshEgressBreakGlassActive",
        exp_alerts: firing.active
          ? [
              {
                exp_labels: { severity: "critical", ...LABELS },
                exp_annotations: annotationsOf("MeshEgressBreakGlassActive"),
              },
            ]
          : [],
      },
      {
        eval_time: evalTime,
        alertname: "MeshEgressBreakGlassOverdue",
        exp_alerts: firing.overdue
          ? [
              {
                exp_labels: { severity: "critical", ...LABELS },
                exp_annotations: annotationsOf("MeshEgressBreakGlassOverdue"),
              },
            ]
          : [],
      },
    ],
  };
}

describeWithPrometheusTools("the break-glass alerts under the real promtool", () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-break-glass-"));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function promtoolTest(entries: readonly BreakGlassEntry[], tests: unknown[]) {
    fs.writeFileSync(path.join(dir, "rules.yaml"), stringify({ groups: breakGlassRuleGroups(entries) }));
    fs.writeFileSync(path.join(dir, "tests.yaml"), stringify({ rule_files: ["rules.yaml"], tests }));
    return runPromtool(["test", "rules", "tests.yaml"], dir);
  }

  it("passes promtool check rules", () => {
    fs.writeFileSync(path.join(dir, "check.yaml"), stringify({ groups: breakGlassRuleGroups([ENTRY]) }));
    const result = runPromtool(["check", "rules", "check.yaml"], dir);
    assert.equal(result.status, 0, result.output);
    assert.match(result.output, /SUCCESS: 2 rules found/);
  });

  it("fires Active while the entry lasts, and Overdue once it outlives its expiry", () => {
    const result = promtoolTest(
      [ENTRY],
      [atTime("1h", { active: true, overdue: false }), atTime("3h", { active: false, overdue: true })],
    );
    assert.equal(result.status, 0, result.output);
  });

  it("is failed by promtool when the expectation is wrong (the test can fail)", () => {
    const result = promtoolTest([ENTRY], [atTime("3h", { active: true, overdue: false })]);
    assert.notEqual(result.status, 0, result.output);
  });

  it("stays quiet when no entry is active", () => {
    const result = promtoolTest([], [atTime("1h", { active: false, overdue: false })]);
    assert.equal(result.status, 0, result.output);
  });
});
