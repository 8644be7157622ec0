import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { allRules } from "../engine/catalog";
import type { Rule } from "../engine/rule";

const RULES_DIR = path.join(__dirname, "..", "rules");

const isRule = (value: unknown): value is Rule =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as Rule).name === "string" &&
  typeof (value as Rule).check === "function" &&
  ((value as Rule).scope === "resource" || (value as Rule).scope === "stack");

const concerns = (): string[] =>
  fs
    .readdirSync(RULES_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();

/** The rule files of a concern folder: everything but its index.ts and the `<rule>.cases.yaml` test data. */
const ruleFiles = (concern: string): string[] =>
  fs
    .readdirSync(path.join(RULES_DIR, concern))
    .filter((f) => f !== "index.ts" && !f.endsWith(".cases.yaml"))
    .sort();

const exportedRules = (concern: string, file: string): Rule[] =>
  Object.values(require(path.join(RULES_DIR, concern, file)) as Record<string, unknown>).filter(isRule);

describe("policy/rules/<concern>/<rule>.ts: one rule a file", () => {
  it("holds only concern folders, each with an index.ts", () => {
    const loose = fs.readdirSync(RULES_DIR, { withFileTypes: true }).filter((e) => !e.isDirectory());
    assert.deepEqual(
      loose.map((e) => e.name),
      [],
    );
    for (const concern of concerns())
      assert.ok(fs.existsSync(path.join(RULES_DIR, concern, "index.ts")), concern);
  });

  it("names each folder after the concern of its rules, and each file after its one exported rule", () => {
    for (const concern of concerns()) {
      for (const file of ruleFiles(concern)) {
        const where = `policy/rules/${concern}/${file}`;
        assert.match(
          file,
          /\.ts$/,
          `${where}: only rule modules, index.ts and <rule>.cases.yaml belong here`,
        );
        const rules = exportedRules(concern, file);
        assert.equal(
          rules.length,
          1,
          `${where} exports ${rules.length} rules: ${rules.map((r) => r.name).join(", ")}`,
        );
        assert.equal(rules[0]!.name, path.basename(file, ".ts"), `${where}: file name and rule name differ`);
        assert.equal(rules[0]!.concern, concern, `${where}: folder and rule concern differ`);
      }
    }
  });

  it("lists every rule of the catalog in exactly one file, the very object the catalog runs", () => {
    const fromFiles = concerns().flatMap((concern) =>
      ruleFiles(concern).flatMap((file) => exportedRules(concern, file)),
    );
    assert.equal(fromFiles.length, allRules.length);
    for (const rule of allRules) {
      assert.equal(
        fromFiles.filter((r) => r === rule).length,
        1,
        `${rule.name}: not exported by its rule file`,
      );
    }
  });

  it("keeps the catalog as the concern indexes in order, each listing its own folder's rules", () => {
    const inCatalogOrder = [...new Set(allRules.map((r) => r.concern))];
    assert.deepEqual([...inCatalogOrder].sort(), concerns());
    const listed: Rule[] = [];
    for (const concern of inCatalogOrder) {
      const lists = Object.values(
        require(path.join(RULES_DIR, concern, "index.ts")) as Record<string, unknown>,
      );
      assert.equal(lists.length, 1, `policy/rules/${concern}/index.ts exports one list`);
      const list = lists[0] as readonly Rule[];
      assert.deepEqual(
        list.map((r) => r.name).sort(),
        ruleFiles(concern).map((f) => path.basename(f, ".ts")),
        `policy/rules/${concern}/index.ts lists exactly the rules of its folder`,
      );
      listed.push(...list);
    }
    assert.deepEqual(listed, allRules);
  });
});
