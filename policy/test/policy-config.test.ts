import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { allRules } from "../engine/catalog";
import { enforcementLevels, PolicyConfigError, ruleSettings } from "../engine/enforcement";
import { evaluate } from "../engine/evaluate";
import { compliantPlatform } from "./compliant-platform";

const CONFIG_DIR = path.join(__dirname, "..", "config");
/** Each rule's settings as it runs: its schema's defaults, overridden by the config's entry (as CrossGuard fills them). */
const effectiveSettings = (config: unknown): Map<string, Record<string, unknown>> =>
  new Map(
    allRules.map((rule) => [
      rule.name,
      {
        ...Object.fromEntries(
          Object.entries(rule.settings?.schema ?? {})
            .filter(([, schema]) => "default" in schema)
            .map(([key, schema]) => [key, schema.default]),
        ),
        ...ruleSettings(config).get(rule.name),
      },
    ]),
  );
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

  it("runs every rule as mandatory in prod, but the break-glass expiry warning, which is advisory by design", () => {
    const levels = enforcementLevels(readConfig("prod"));
    for (const rule of allRules) {
      const expected = rule.name === "break-glass-expiring-soon" ? "advisory" : "mandatory";
      assert.equal(levels.get(rule.name), expected, rule.name);
    }
  });

  it("runs prod with client certificates of at most 90 days, every guardrail bound to Deny and break-glass of at most 24 hours", () => {
    const settings = effectiveSettings(readConfig("prod"));
    assert.deepEqual(settings.get("client-certificate-max-lifetime"), { maxDays: 90 });
    assert.deepEqual(settings.get("admission-guardrails-enforced"), { requireDeny: true });
    assert.deepEqual(settings.get("break-glass-expiry-valid"), { maxHours: 24 });
    assert.deepEqual(settings.get("break-glass-expiring-soon"), {});
  });

  it("runs dev with guardrails that may only warn and break-glass of at most 7 days, other settings as prod", () => {
    const settings = effectiveSettings(readConfig("dev"));
    assert.deepEqual(settings.get("client-certificate-max-lifetime"), { maxDays: 90 });
    assert.deepEqual(settings.get("admission-guardrails-enforced"), { requireDeny: false });
    assert.deepEqual(settings.get("break-glass-expiry-valid"), { maxHours: 168 });
  });

  it("lists in prod.json only what differs from a rule's default level and settings", () => {
    const prod = readConfig("prod");
    for (const [name, entry] of Object.entries(prod)) {
      const rule = allRules.find((r) => r.name === name);
      assert.ok(rule, `${name}: no such rule`);
      const { enforcementLevel, ...values } =
        typeof entry === "string" ? { enforcementLevel: entry } : (entry as Record<string, unknown>);
      const differs =
        (enforcementLevel !== undefined && enforcementLevel !== rule.defaultEnforcement) ||
        Object.entries(values).some(([key, value]) => value !== rule.settings?.schema[key]?.default);
      assert.ok(differs, `${name}: prod.json repeats the rule's default`);
    }
  });

  it("runs availability rules, plain passthrough's admission and the break-glass warning and ticket as advisory in dev, everything else as mandatory", () => {
    const levels = enforcementLevels(readConfig("dev"));
    assert.deepEqual(Object.keys(readConfig("dev")).sort(), allRules.map((r) => r.name).sort());
    const advisory = allRules.filter((r) => levels.get(r.name) === "advisory").map((r) => r.name);
    // Dev may keep plain passthrough (prod config refuses it), so its identity-less admission is advisory there.
    assert.deepEqual(advisory.sort(), [
      "break-glass-direct-has-ticket",
      "break-glass-expiring-soon",
      "gateway-authz-no-identity-less-admission",
      "gateway-ha-disruption-budget",
      "gateway-ha-min-replicas",
      "gateway-ha-zone-spread",
    ]);
    for (const rule of allRules.filter((r) => !r.availability && !advisory.includes(r.name)))
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

describe("rule settings from the policy config, as lint applies them", () => {
  it("reads the client certificate lifetime ceiling from a config entry", () => {
    const settings = ruleSettings({
      "client-certificate-max-lifetime": { enforcementLevel: "mandatory", maxDays: 60 },
    });
    assert.deepEqual(settings.get("client-certificate-max-lifetime"), { maxDays: 60 });
  });

  it("applies a stricter ceiling from the config to the rule", () => {
    const objects = compliantPlatform();
    assert.deepEqual(
      evaluate(objects).findings.map((f) => f.rule),
      [],
    );
    const settings = ruleSettings({
      "client-certificate-max-lifetime": { enforcementLevel: "mandatory", maxDays: 30 },
    });
    const found = evaluate(objects, { settings }).findings;
    assert.deepEqual([...new Set(found.map((f) => f.rule))], ["client-certificate-max-lifetime"]);
    assert.match(found[0]?.message ?? "", /longer than the 30-day maximum/);
  });

  it("rejects a setting the policy does not have, and a value of the wrong type", () => {
    assert.throws(
      () =>
        ruleSettings({ "client-certificate-max-lifetime": { enforcementLevel: "mandatory", maxDay: 30 } }),
      /client-certificate-max-lifetime\.maxDay: not a setting of this policy \(settings: maxDays\)/,
    );
    assert.throws(
      () => ruleSettings({ "client-certificate-max-lifetime": { maxDays: "thirty" } }),
      /maxDays: must be an integer of at least 1/,
    );
    assert.throws(
      () => ruleSettings({ "sidecar-registry-only": { enforcementLevel: "mandatory", strict: true } }),
      /not a setting/,
    );
  });
});
