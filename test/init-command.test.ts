import { strict as assert } from "assert";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { runCli } from "./support/run-cli";

const freshDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-init-"));

/** The schema the file's `# yaml-language-server: $schema=…` line points at, resolved as an editor would. */
function schemaNamedBy(file: string): Record<string, unknown> {
  const line = fs.readFileSync(file, "utf8").split("\n")[0]!;
  const match = /^# yaml-language-server: \$schema=(\S+)$/.exec(line);
  assert.ok(match, `first line names the schema: ${line}`);
  return JSON.parse(fs.readFileSync(path.resolve(path.dirname(file), match[1]!), "utf8"));
}

describe("mesh-egress init", () => {
  for (const environment of ["dev", "prod"] as const) {
    it(`writes a ${environment} stack that renders and lints clean at ${environment}'s levels, and that its schema accepts`, async () => {
      const dir = freshDir();
      const init = await runCli([
        "init",
        ...["--stack", "acme", "--environment", environment, "--dir", dir],
        ...["--tenant", "payments", "checkout", "--gateway-namespace", "egress"],
      ]);
      assert.equal(init.status, 0, init.stderr);
      const file = path.join(dir, "Pulumi.acme.yaml");
      const values = parse(fs.readFileSync(file, "utf8")).config;
      assert.equal(values["mesh-egress:environment"], environment);
      assert.deepEqual(values["mesh-egress:gateway"], { namespace: "egress" });
      assert.deepEqual(
        values["mesh-egress:tenants"].map((t: { namespace: string }) => t.namespace),
        ["payments", "checkout"],
      );

      const render = await runCli(["render", "--stack-file", file]);
      assert.equal(render.status, 0, render.stderr);
      assert.match(render.stdout, /name: payments/);
      const lint = await runCli(["lint", "--environment", environment, "-"], render.stdout);
      assert.equal(lint.status, 0, lint.stdout);
      assert.doesNotMatch(lint.stdout, /^mandatory /m);

      const validate = addFormats(new Ajv({ strict: false })).compile(schemaNamedBy(file));
      assert.ok(validate(parse(fs.readFileSync(file, "utf8"))), JSON.stringify(validate.errors));
    });
  }

  it("says on its first screen, output and help alike, that the shipped stacks are an example company's", async () => {
    const init = await runCli(["init", "--stack", "mine", "--environment", "dev", "--dir", freshDir()]);
    assert.equal(init.status, 0, init.stderr);
    assert.match(
      init.stdout.split("\n").slice(0, 3).join("\n"),
      /shipped with mesh-egress .* an example company's/,
    );
    const help = await runCli(["init", "--help"]);
    assert.match(help.stdout.split("\n").slice(0, 6).join(" "), /an example company's/);
  });

  it("refuses to overwrite an existing stack file and leaves it as it was", async () => {
    const dir = freshDir();
    const file = path.join(dir, "Pulumi.acme.yaml");
    fs.writeFileSync(file, "config: {}\n");
    const init = await runCli(["init", "--stack", "acme", "--environment", "prod", "--dir", dir]);
    assert.equal(init.status, 2);
    assert.match(init.stderr, /Pulumi\.acme\.yaml already exists; init never overwrites/);
    assert.equal(fs.readFileSync(file, "utf8"), "config: {}\n");
  });

  it("names the flag and the rule for a bad namespace or stack name, and writes nothing", async () => {
    const dir = freshDir();
    const badTenant = await runCli([
      "init",
      "--stack",
      "acme",
      "--environment",
      "dev",
      "--dir",
      dir,
      "--tenant",
      "Team_A",
    ]);
    assert.equal(badTenant.status, 2);
    assert.match(badTenant.stderr, /--tenant "Team_A": not a namespace name/);
    const badStack = await runCli(["init", "--stack", "../acme", "--environment", "dev", "--dir", dir]);
    assert.equal(badStack.status, 2);
    assert.match(badStack.stderr, /--stack "\.\.\/acme": use letters, digits/);
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  it("refuses a tenant in the gateway's namespace with the validation render would give", async () => {
    const dir = freshDir();
    const init = await runCli([
      "init",
      "--stack",
      "acme",
      "--environment",
      "dev",
      "--dir",
      dir,
      "--tenant",
      "istio-egress",
    ]);
    assert.equal(init.status, 2);
    assert.match(init.stderr, /^init: tenants\[0\]/m);
    assert.deepEqual(fs.readdirSync(dir), []);
  });
});
