import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { allRules } from "../policy/engine/catalog";
import { configKeyRows, staleDescriptionKeys } from "../scripts/docs/config-reference";
import { renderRuleReference } from "../scripts/docs/rule-reference";
import { buildPage, GENERATED_PAGES, PROJECT_DIR } from "../scripts/docs/generated-pages";

describe("generated reference pages", function () {
  // The CLI page runs each command's --help in a child process.
  this.timeout(120000);

  for (const page of GENERATED_PAGES) {
    it(`${page.file} is what the code generates (else run \`npm run docs\`)`, async () => {
      const committed = path.join(PROJECT_DIR, page.file);
      assert.ok(fs.existsSync(committed), `${page.file} is missing: run \`npm run docs\` and commit it`);
      const expected = await buildPage(page.file, page.build);
      assert.ok(
        fs.readFileSync(committed, "utf8") === expected,
        `${page.file} is stale: the code it is generated from changed. Run \`npm run docs\` and commit the result.`,
      );
    });
  }

  it("describes no configuration key the schema does not have", () => {
    assert.deepEqual(
      staleDescriptionKeys(),
      [],
      "scripts/docs/config-descriptions.ts describes keys the schema no longer has: rename or remove them",
    );
  });

  it("lists every top-level key of the schema, with the types the schema gives", () => {
    const rows = configKeyRows();
    const byPath = new Map(rows.map((row) => [row.path, row]));
    for (const key of ["environment", "gateway", "services", "tenants", "rateLimits", "breakGlass"]) {
      assert.ok(byPath.has(key), key);
    }
    assert.equal(byPath.get("environment")?.required, true);
    assert.equal(byPath.get("gateway.namespace")?.default, '`"istio-egress"`');
    assert.equal(byPath.get("services[].tls.credentialName")?.onlyWhen, "mode: originate-mutual");
    assert.match(
      byPath.get("gateway.spread.zone")?.type ?? "",
      /`DoNotSchedule` \\\| `ScheduleAnyway` \\\| `off`/,
    );
  });

  it("documents a key added to the schema without being told: type, default, and an empty meaning", () => {
    const rows = configKeyRows(
      z.strictObject({
        environment: z.enum(["dev", "prod"]),
        newSetting: z.number().int().min(2).default(5),
      }),
    );
    const added = rows.find((row) => row.path === "newSetting");
    assert.deepEqual(added, {
      path: "newSetting",
      type: "integer (≥ 2)",
      required: false,
      default: "`5`",
      description: "",
    });
  });

  it("lists a rule added to the catalog, under its concern, with its level in each environment", () => {
    const extra = { ...allRules[0], name: "a-rule-nobody-documented", concern: "registry" as const };
    const page = renderRuleReference([...allRules, extra]);
    assert.match(page, /\| `a-rule-nobody-documented` \| resource \| \w+ \| mandatory \| mandatory \|/);
    assert.match(page, new RegExp(`has ${allRules.length + 1} rules`));
  });
});
