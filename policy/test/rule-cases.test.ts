import * as assert from "node:assert/strict";
import { allRules } from "../engine/catalog";
import { evaluate } from "../engine/evaluate";
import { compliantPlatform } from "./compliant-platform";
import {
  CASES_NOW,
  caseObjects,
  caseOptions,
  findCaseFiles,
  readCases,
  ruleOfFile,
  RuleCase,
} from "./rule-cases";
import { assertOnlyRuleFires, assertRulePasses } from "./rule-harness";
import { Rule } from "../engine/rule";

/** Every policy/rules/<concern>/<rule>.cases.yaml, one test a case, judged on the compliant platform. */

function judge(rule: Rule, c: RuleCase): void {
  const objects = caseObjects(c);
  const options = caseOptions(c, rule);
  if (c.expect === "pass") return assertRulePasses(objects, rule, options);
  const found = assertOnlyRuleFires(objects, rule, options);
  assert.ok(
    found.some((f) => f.message.includes(c.message!)),
    `expected a ${rule.name} message containing ${JSON.stringify(c.message)}, got:\n${found.map((f) => `  ${f.message}`).join("\n")}`,
  );
}

describe("rule test data (policy/rules/**/*.cases.yaml)", () => {
  for (const environment of ["prod", "dev"] as const) {
    it(`judges cases on a platform where no rule fires in ${environment}`, () => {
      const { findings } = evaluate(compliantPlatform(), caseOptions({ environment, now: CASES_NOW }));
      assert.deepEqual(
        findings.map((f) => `${f.rule}: ${f.message}`),
        [],
      );
    });
  }

  it("gives every catalog rule a cases file with a violation and a compliant neighbour", () => {
    const files = new Map(findCaseFiles().map((file) => [ruleOfFile(file, allRules).name, file]));
    const uncovered = allRules.flatMap((rule) => {
      const file = files.get(rule.name);
      if (!file) return [`${rule.name}: no policy/rules/${rule.concern}/${rule.name}.cases.yaml`];
      const expected = new Set(readCases(file).map((c) => c.expect));
      return (["violation", "pass"] as const)
        .filter((expect) => !expected.has(expect))
        .map((expect) => `${file}: no ${expect} case`);
    });
    assert.deepEqual(uncovered, []);
  });

  for (const file of findCaseFiles()) {
    describe(file, () => {
      let rule: Rule;
      let cases: RuleCase[];
      try {
        rule = ruleOfFile(file, allRules);
        cases = readCases(file);
      } catch (e) {
        it("is a well-formed cases file of a catalog rule", () => {
          throw e;
        });
        return;
      }
      for (const c of cases) {
        it(c.name, () => {
          try {
            judge(rule, c);
          } catch (e) {
            if (e instanceof assert.AssertionError) throw e;
            throw new Error(`${file}: case "${c.name}": ${(e as Error).message}`, { cause: e });
          }
        });
      }
    });
  }
});
