import { strict as assert } from "assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { ESLint } from "eslint";

const ROOT = path.join(__dirname, "..");

/** The rule ids (and first message) ESLint reports for `code` as if it were the file at `file`, with the project's config. */
async function lintAs(file: string, code: string): Promise<{ ruleId: string | null; message: string }[]> {
  const [result] = await new ESLint({ cwd: ROOT }).lintText(code, { filePath: path.join(ROOT, file) });
  return result!.messages.map(({ ruleId, message }) => ({ ruleId, message }));
}

const ruleIds = (messages: { ruleId: string | null }[]): (string | null)[] => messages.map((m) => m.ruleId);

describe("import boundaries (eslint.config.mjs)", function () {
  // The first lint loads typescript-eslint and parses the policy rules' import graph.
  this.timeout(60_000);

  it("lets the pack's rules import the contract, and the program import the pack's contract", async () => {
    assert.deepEqual(
      await lintAs("policy/rules/tls/probe.ts", 'export { KIND } from "../../contract";\n'),
      [],
    );
    assert.deepEqual(
      await lintAs("components/probe.ts", 'export { GATEWAY_SELECTOR } from "../policy/contract";\n'),
      [],
    );
  });

  it("refuses a policy rule that imports the program", async () => {
    const messages = await lintAs(
      "policy/rules/tls/probe.ts",
      'export { ownedLabels } from "../../../components/kubernetes-object";\n',
    );
    assert.deepEqual(ruleIds(messages), ["no-restricted-imports"]);
    assert.match(messages[0]!.message, /policy\/ is its own package/);
  });

  it("refuses a file at the pack's top level that imports stacks/", async () => {
    const messages = await lintAs(
      "policy/probe.ts",
      'export { loadStackFile } from "../stacks/load-config";\n',
    );
    assert.deepEqual(ruleIds(messages), ["no-restricted-imports"]);
  });

  it("refuses an import from a higher layer of stacks/: schema → model → relations → validation → loading", async () => {
    const fromSchema = await lintAs(
      "stacks/schema/probe.ts",
      'export { temporaryServiceName } from "../model/break-glass";\n',
    );
    assert.deepEqual(ruleIds(fromSchema), ["import-x/no-restricted-paths"]);
    assert.match(fromSchema[0]!.message, /stacks\/ is layered/);
    const fromModel = await lintAs(
      "stacks/model/probe.ts",
      'export { validateReferences } from "../validation/validate-references";\n',
    );
    assert.deepEqual(ruleIds(fromModel), ["import-x/no-restricted-paths"]);
    const fromValidation = await lintAs(
      "stacks/validation/probe.ts",
      'export { loadStackFile } from "../load-config";\n',
    );
    assert.deepEqual(ruleIds(fromValidation), ["import-x/no-restricted-paths"]);
    assert.deepEqual(
      await lintAs(
        "stacks/validation/probe.ts",
        'export { temporaryServiceName } from "../model/break-glass";\n',
      ),
      [],
    );
  });

  it("refuses a contract file that imports the rules or a package", async () => {
    const fromRules = await lintAs(
      "policy/contract/probe.ts",
      'export { violation } from "../rules/rule";\n',
    );
    assert.deepEqual(ruleIds(fromRules), ["no-restricted-imports"]);
    assert.match(fromRules[0]!.message, /policy\/contract\/ is the vocabulary/);
    const fromPackage = await lintAs("policy/contract/probe.ts", 'export { parseCIDR } from "ipaddr.js";\n');
    assert.deepEqual(ruleIds(fromPackage), ["no-restricted-imports"]);
  });

  it("refuses a pack import of a package that policy/package.json does not list", async () => {
    const messages = await lintAs("policy/rules/tls/probe.ts", 'export { z } from "zod";\n');
    assert.deepEqual(ruleIds(messages), ["import-x/no-extraneous-dependencies"]);
  });

  it("refuses a builder, a stacks/ module or a CLI module that imports the Pulumi SDK, even as a type", async () => {
    for (const [file, code] of [
      [
        "components/probe.ts",
        'import * as pulumi from "@pulumi/pulumi";\nexport const o = pulumi.output(1);\n',
      ],
      ["stacks/probe.ts", 'export type { Resource } from "@pulumi/pulumi";\n'],
      ["cli/probe.ts", 'export { Chart } from "@pulumi/kubernetes/helm/v4";\n'],
    ]) {
      const messages = await lintAs(file!, code!);
      assert.deepEqual(ruleIds(messages), ["no-restricted-imports"], file);
      assert.match(messages[0]!.message, /never load the Pulumi SDK/);
    }
  });

  it("refuses a CLI module or a builder that imports a ComponentResource or the Pulumi config loader", async () => {
    for (const [file, code] of [
      ["cli/probe.ts", 'export { Tenant } from "../components/pulumi/tenant";\n'],
      ["components/probe.ts", 'export { EgressPlatform } from "./pulumi/egress-platform";\n'],
      ["cli/probe.ts", 'export { loadPulumiStackConfig } from "../stacks/load-pulumi-config";\n'],
      ["cli/probe.ts", 'export { policies } from "../policy/policies";\n'],
    ]) {
      assert.deepEqual(ruleIds(await lintAs(file!, code!)), ["no-restricted-imports"], code);
    }
  });

  it("refuses a policy rule that imports @pulumi/policy, and keeps refusing one that leaves the pack", async () => {
    assert.deepEqual(
      ruleIds(await lintAs("policy/rules/tls/probe.ts", 'export { PolicyPack } from "@pulumi/policy";\n')),
      ["no-restricted-imports"],
    );
    for (const file of ["policy/engine/probe.ts", "policy/mesh/probe.ts"]) {
      assert.deepEqual(
        ruleIds(await lintAs(file, 'export { PolicyPack } from "@pulumi/policy";\n')),
        ["no-restricted-imports"],
        file,
      );
    }
    const escape = await lintAs(
      "policy/rules/tls/probe.ts",
      'export { ownedLabels } from "../../../components/kubernetes-object";\n',
    );
    assert.match(escape[0]!.message, /policy\/ is its own package/);
  });

  it("lets the ComponentResources in components/pulumi/ and index.ts import the SDK and the builders", async () => {
    assert.deepEqual(
      await lintAs(
        "components/pulumi/probe.ts",
        'import * as pulumi from "@pulumi/pulumi";\nimport { buildTenantManifests } from "../tenant";\nexport const o = pulumi.output(buildTenantManifests);\n',
      ),
      [],
    );
    assert.deepEqual(
      await lintAs("probe.ts", 'export { loadPulumiStackConfig } from "./stacks/load-pulumi-config";\n'),
      [],
    );
  });

  it("refuses a rule file imported from the program, the CLI, scripts or the pack's engine and mesh readers", async () => {
    for (const [file, code] of [
      [
        "cli/probe.ts",
        'export { originationTlsNotDisabled } from "../policy/rules/tls/origination-tls-not-disabled";\n',
      ],
      ["stacks/probe.ts", 'export { gatewayIntegrityRules } from "../policy/rules/gateway-integrity";\n'],
      ["components/probe.ts", 'export { tlsRules } from "../policy/rules/tls/index";\n'],
      ["components/pulumi/probe.ts", 'export { tlsRules } from "../../policy/rules/tls";\n'],
      ["scripts/docs/probe.ts", 'export { tlsRules } from "../../policy/rules/tls";\n'],
      ["policy/probe.ts", 'export { tlsRules } from "./rules/tls";\n'],
      [
        "policy/mesh/probe.ts",
        'export { breakGlassExpiryValid } from "../rules/break-glass/break-glass-expiry-valid";\n',
      ],
      ["policy/engine/probe.ts", 'export { breakGlassRules } from "../rules/break-glass";\n'],
    ]) {
      const messages = await lintAs(file!, code!);
      assert.deepEqual(ruleIds(messages), ["no-restricted-imports"], file);
      assert.match(messages[0]!.message, /imported only by its concern's index\.ts/, file);
    }
  });

  it("lets the catalog import the concern indexes but not a rule file, and a concern's index its own rules only", async () => {
    const catalog = "policy/engine/catalog.ts";
    const source = fs.readFileSync(path.join(ROOT, catalog), "utf8");
    assert.deepEqual(await lintAs(catalog, source), [], "the catalog as it is");
    const reaching = `${source}export { certificateKeyStrength } from "../rules/tls/certificate-key-strength";\n`;
    assert.deepEqual(ruleIds(await lintAs(catalog, reaching)), ["no-restricted-imports"]);
    const index = "policy/rules/tls/index.ts";
    const indexSource = fs.readFileSync(path.join(ROOT, index), "utf8");
    assert.deepEqual(await lintAs(index, indexSource), [], "the tls index as it is");
    assert.deepEqual(
      ruleIds(await lintAs(index, `${indexSource}export { breakGlassRules } from "../break-glass";\n`)),
      ["no-restricted-imports"],
    );
  });

  it("refuses a rule file that imports another rule, of its concern or another", async () => {
    const file = "policy/rules/tls/origination-tls-not-disabled.ts";
    const source = fs.readFileSync(path.join(ROOT, file), "utf8");
    assert.deepEqual(await lintAs(file, source), [], "the rule as it is");
    for (const code of [
      'export { certificateKeyStrength } from "./certificate-key-strength";\n',
      'export { breakGlassDirectHasTicket } from "../break-glass/break-glass-direct-has-ticket";\n',
    ]) {
      assert.deepEqual(ruleIds(await lintAs(file, `${source}${code}`)), ["no-restricted-imports"], code);
    }
  });

  it("reports an import circle: rule.ts importing the catalog, which imports every rule", async () => {
    const file = "policy/engine/rule.ts";
    const source = fs.readFileSync(path.join(ROOT, file), "utf8");
    assert.deepEqual(await lintAs(file, source), [], "rule.ts as it is imports no circle");
    const circular = `import { allRules } from "./catalog";\nexport const everyRule = allRules;\n${source}`;
    assert.deepEqual(ruleIds(await lintAs(file, circular)), ["import-x/no-cycle"]);
  });
});
