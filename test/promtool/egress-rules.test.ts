import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { egressRuleGroups, ObservabilityInputs, PrometheusRuleGroup } from "../../components/observability";
import {
  assertFiringAndQuietCases,
  describeWithPrometheusTools,
  runPromtool,
} from "../support/prometheus-tools";

/** The inputs test/promtool/egress-alerts.test.yaml was written for. */
const INPUTS: ObservabilityInputs = {
  gateway: { namespace: "istio-egress", releaseName: "istio-egressgateway", minReplicas: 3 },
  tenantNamespaces: ["payments", "assistant", "settlement", "storefront"],
};
const UNIT_TESTS = path.join(__dirname, "egress-alerts.test.yaml");

/** Writes the groups as a Prometheus rule file (what the Operator mounts from the PrometheusRule). */
function writeRuleFile(dir: string, groups: readonly PrometheusRuleGroup[]): string {
  const file = path.join(dir, "mesh-egress-rules.yaml");
  fs.writeFileSync(file, stringify({ groups }, { lineWidth: 0 }));
  return file;
}

describeWithPrometheusTools("the egress rules under the real promtool", () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-promtool-"));
    writeRuleFile(dir, egressRuleGroups(INPUTS));
    fs.copyFileSync(UNIT_TESTS, path.join(dir, path.basename(UNIT_TESTS)));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("passes promtool check rules", () => {
    const result = runPromtool(["check", "rules", "mesh-egress-rules.yaml"], dir);
    assert.equal(result.status, 0, result.output);
    assert.match(result.output, /SUCCESS: \d+ rules found/);
  });

  it("passes a firing and a quiet promtool unit test for every alert", () => {
    const result = runPromtool(["test", "rules", path.basename(UNIT_TESTS)], dir);
    assert.equal(result.status, 0, result.output);
    const alerts = egressRuleGroups(INPUTS).flatMap((g) =>
      g.rules.flatMap((r) => ("alert" in r ? [r.alert] : [])),
    );
    assertFiringAndQuietCases(fs.readFileSync(UNIT_TESTS, "utf8"), alerts);
  });

  it("is failed by promtool when an alert's expression no longer parses", () => {
    const broken = egressRuleGroups(INPUTS).map((group) => ({
      ...group,
      rules: group.rules.map((rule) => ("alert" in rule ? { ...rule, expr: `${rule.expr} >` } : rule)),
    }));
    const brokenDir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-promtool-broken-"));
    try {
      writeRuleFile(brokenDir, broken);
      const result = runPromtool(["check", "rules", "mesh-egress-rules.yaml"], brokenDir);
      assert.equal(result.status, 1, result.output);
      assert.match(result.output, /parse error/);
    } finally {
      fs.rmSync(brokenDir, { recursive: true, force: true });
    }
  });
});
