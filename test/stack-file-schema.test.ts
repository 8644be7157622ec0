import { strict as assert } from "assert";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { projectStacks } from "../stacks/load-config";
import { STACK_FILE_SCHEMA_PATH, stackFileJsonSchemaText } from "../stacks/stack-file-schema";
import { PROJECT_DIR, UNSEEN_STACK_FILE } from "./support/stacks";

const publishedText = () => fs.readFileSync(path.join(PROJECT_DIR, STACK_FILE_SCHEMA_PATH), "utf8");

/** The published schema, compiled by ajv as an editor's validator would read it. */
function publishedValidator() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(JSON.parse(publishedText()));
}

const stackFile = (name: string): unknown =>
  parse(fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${name}.yaml`), "utf8"));

describe("the stack file's JSON Schema (schema/stack.schema.json)", () => {
  it("is what `npm run schema` generates from the zod schema today (regenerate it when this fails)", () => {
    assert.equal(publishedText(), stackFileJsonSchemaText(), "run `npm run schema` and commit the result");
  });

  it("validates every shipped stack and the test-only stack", () => {
    const validate = publishedValidator();
    const stacks = projectStacks();
    assert.ok(stacks.length >= 4, `the shipped stacks: ${stacks.join(", ")}`);
    for (const name of stacks)
      assert.ok(validate(stackFile(name)), `${name}: ${JSON.stringify(validate.errors)}`);
    assert.ok(validate(parse(fs.readFileSync(UNSEEN_STACK_FILE, "utf8"))), JSON.stringify(validate.errors));
  });

  it("rejects a misspelt mesh-egress key, at the top of config and inside a tenant", () => {
    const validate = publishedValidator();
    const misspeltKey = stackFile("dev") as { config: Record<string, unknown> };
    misspeltKey.config["mesh-egress:servces"] = misspeltKey.config["mesh-egress:services"];
    assert.equal(validate(misspeltKey), false);
    assert.ok(
      validate.errors!.some(
        (e) => e.keyword === "propertyNames" || e.params.propertyName === "mesh-egress:servces",
      ),
    );

    const misspeltField = stackFile("dev") as { config: Record<string, any> };
    misspeltField.config["mesh-egress:tenants"][0].alow = ["stripe"];
    assert.equal(validate(misspeltField), false);
    assert.ok(
      validate.errors!.some((e) => e.params.additionalProperty === "alow"),
      JSON.stringify(validate.errors),
    );
  });

  it("lets another provider's keys through and refuses a bare key, as the loader does", () => {
    const validate = publishedValidator();
    const withOthers = stackFile("dev") as { config: Record<string, unknown> };
    withOthers.config["kubernetes:context"] = "kind-dev";
    assert.ok(validate(withOthers), JSON.stringify(validate.errors));
    withOthers.config["services"] = [];
    assert.equal(validate(withOthers), false);
  });
});
