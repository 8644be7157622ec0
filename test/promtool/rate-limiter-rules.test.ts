import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { rateLimiterRuleGroup } from "../../components/global-rate-limiter";
import {
  assertFiringAndQuietCases,
  describeWithPrometheusTools,
  runPromtool,
} from "../support/prometheus-tools";

/** The gateway test/promtool/rate-limiter-alerts.test.yaml was written for. */
const GATEWAY = { namespace: "istio-egress", releaseName: "istio-egressgateway" };
const UNIT_TESTS = path.join(__dirname, "rate-limiter-alerts.test.yaml");

describeWithPrometheusTools("the global rate limiter's alerts under the real promtool", () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-promtool-limiter-"));
    const rules = stringify({ groups: [rateLimiterRuleGroup(GATEWAY)] }, { lineWidth: 0 });
    fs.writeFileSync(path.join(dir, "rate-limiter-rules.yaml"), rules);
    fs.copyFileSync(UNIT_TESTS, path.join(dir, path.basename(UNIT_TESTS)));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("passes promtool check rules", () => {
    const result = runPromtool(["check", "rules", "rate-limiter-rules.yaml"], dir);
    assert.equal(result.status, 0, result.output);
  });

  it("fires and stays quiet as the unit tests expect, on the counters Envoy names under our stat_prefix", () => {
    const result = runPromtool(["test", "rules", path.basename(UNIT_TESTS)], dir);
    assert.equal(result.status, 0, result.output);
    const alerts = rateLimiterRuleGroup(GATEWAY).rules.flatMap((r) => ("alert" in r ? [r.alert] : []));
    assertFiringAndQuietCases(fs.readFileSync(UNIT_TESTS, "utf8"), alerts);
  });
});
