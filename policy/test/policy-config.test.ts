import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { allRules } from "../rules/catalog";
import { enforcementLevels, PolicyConfigError } from "../rules/enforcement";

const CONFIG_DIR = path.join(__dirname, "..", "config");
const readConfig = (env: string): Record<string, unknown> =>
  JSON.parse(fs.readFileSync(path.join(CONFIG_DIR, `${env}.json`), "utf8")) as Record<string, unknown>;

describe("the rule catalog and the per-environment policy config", () => {
  it("gives every rule a unique kebab-case name, a description, a severity and a remediation", () => {
    const names = allRules.map((r) => r.name);
    assert.equal(new Set(names).size, names.length);
    for (const rule of allRules) {
      assert.match(rule.name, /^[a-z0-9]+(-[a-z0-9]+)+$/, rule.name);
      assert.ok(rule.description.length > 60, `${rule.name} needs a description a reviewer understands`);
      assert.ok(["critical", "high", "medium", "low"].includes(rule.severity));
      assert.ok(rule.remediation.length > 10);
      assert.ok(rule.kinds.length > 0);
    }
  });

  it("covers every concern the issue names", () => {
    const concerns = new Set(allRules.map((r) => r.concern));
    for (const c of [
      "registry",
      "tenant-isolation",
      "gateway-integrity",
      "authorization",
      "tls",
      "envoy-filters",
      "observability",
    ]) {
      assert.ok(concerns.has(c as never), c);
    }
  });

  it("runs every rule as mandatory in prod", () => {
    const levels = enforcementLevels(readConfig("prod"));
    assert.deepEqual(Object.keys(readConfig("prod")).sort(), allRules.map((r) => r.name).sort());
    for (const rule of allRules) assert.equal(levels.get(rule.name), "mandatory", rule.name);
  });

  it("runs availability rules as advisory in dev and everything else as mandatory", () => {
    const levels = enforcementLevels(readConfig("dev"));
    assert.deepEqual(Object.keys(readConfig("dev")).sort(), allRules.map((r) => r.name).sort());
    const advisory = allRules.filter((r) => levels.get(r.name) === "advisory").map((r) => r.name);
    assert.deepEqual(advisory.sort(), [
      "gateway-ha-disruption-budget",
      "gateway-ha-min-replicas",
      "gateway-ha-zone-spread",
    ]);
    for (const rule of allRules.filter((r) => !r.availability))
      assert.equal(levels.get(rule.name), "mandatory");
  });

  it("accepts the object form and an 'all' entry that a policy's own entry overrides", () => {
    const levels = enforcementLevels({
      all: "advisory",
      "sidecar-registry-only": { enforcementLevel: "mandatory" },
    });
    assert.equal(levels.get("sidecar-registry-only"), "mandatory");
    assert.equal(levels.get("gateway-ha-zone-spread"), "advisory");
  });

  it("rejects an unknown policy name and an invalid level", () => {
    assert.throws(() => enforcementLevels({ "sidecar-registy-only": "mandatory" }), PolicyConfigError);
    assert.throws(() => enforcementLevels({ "sidecar-registry-only": "blocking" }), /must be one of/);
    assert.throws(() => enforcementLevels([]), PolicyConfigError);
  });
});

describe("the policy pack's README", () => {
  it("lists every rule in its table, with its dev enforcement level", () => {
    const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
    const dev = readConfig("dev");
    const rows = readme
      .split("\n")
      .filter((line) => line.startsWith("| `"))
      .map((line) => line.split("|").map((cell) => cell.trim()));
    for (const rule of allRules) {
      const row = rows.find((cells) => cells[1] === `\`${rule.name}\``);
      assert.ok(row, `README has no row for ${rule.name}`);
      assert.equal(row[5], dev[rule.name], `${rule.name}: README's dev level is stale`);
    }
    assert.equal(rows.length, allRules.length);
  });
});
