import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runCli } from "./support/run-cli";

function stackFile(content: string | Buffer): string {
  const file = path.join(
    fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-render-input-")),
    "Pulumi.x.yaml",
  );
  fs.writeFileSync(file, content);
  return file;
}

const VALID = "config:\n  mesh-egress:environment: dev\n";

/** Runs render on a file; every refusal exits 2 with nothing on stdout. */
async function refused(file: string): Promise<string> {
  const result = await runCli(["render", "--stack-file", file]);
  assert.equal(result.status, 2, result.stderr);
  assert.equal(result.stdout, "", "nothing on stdout");
  return result.stderr;
}

describe("render refuses unusable stack input with a clear message", () => {
  it("renders the minimal valid file (the control for the cases below)", async () => {
    const result = await runCli(["render", "--stack-file", stackFile(VALID)]);
    assert.equal(result.status, 0, result.stderr);
  });

  it("lists the project's stacks when --stack names none of them", async () => {
    const result = await runCli(["render", "--stack", "staging"]);
    assert.equal(result.status, 2);
    assert.match(
      result.stderr,
      /no stack "staging" in this project \(no Pulumi\.staging\.yaml\); stacks: dev, prod/,
    );
    assert.equal(result.stdout, "");
  });

  it("does not read a path smuggled through --stack", async () => {
    const result = await runCli(["render", "--stack", "../../etc/passwd"]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /no stack "\.\.\/\.\.\/etc\/passwd"/);
  });

  it("says UTF-16 is not supported, not that the file needs a config: map", async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(VALID, "utf16le")]);
    assert.match(await refused(stackFile(utf16)), /UTF-16 is not supported/);
    assert.match(await refused(stackFile(Buffer.from(VALID, "utf16le"))), /UTF-16 is not supported/);
  });

  it("never echoes binary input", async () => {
    const binary = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef]);
    const stderr = await refused(stackFile(binary));
    assert.match(stderr, /binary/);
    assert.ok(!stderr.includes("\uFFFD") && !stderr.includes("ELF"), stderr);
  });

  it("stops at once on /dev/zero", async () => {
    assert.match(await refused("/dev/zero"), /cannot read stack file: is binary/);
  });

  it("refuses deep nesting with a message, not a stack overflow", async () => {
    const stderr = await refused(
      stackFile(`config:\n  mesh-egress:tenants: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`),
    );
    assert.doesNotMatch(stderr, /Maximum call stack/);
    assert.match(stderr, /not valid YAML|nested/);
  });

  it("refuses a YAML warning as an error on stderr, never as a raw (node:PID) warning", async () => {
    const warnings: Error[] = [];
    const record = (w: Error) => warnings.push(w);
    process.on("warning", record);
    try {
      const stderr = await refused(stackFile(`config:\n  mesh-egress:environment: !env dev\n`));
      assert.match(stderr, /not valid YAML: Unresolved tag: !env/);
    } finally {
      process.off("warning", record);
    }
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(warnings, []);
  });

  it('names "required" when the config map is missing', async () => {
    assert.match(
      await refused(stackFile("environment: dev\n")),
      /^config: required: a stack file needs a `config:` map/m,
    );
  });

  it("refuses a misspelt namespace prefix with a did-you-mean", async () => {
    const stderr = await refused(stackFile(`${VALID}  mesh-egres:tenants: []\n`));
    assert.match(
      stderr,
      /^mesh-egres:tenants: not a mesh-egress key \(did you mean "mesh-egress:tenants"\?\)/m,
    );
  });

  it("refuses a stack file over the size cap", async () => {
    const stderr = await refused(stackFile(`${VALID}# ${"x".repeat(9 * 1024 * 1024)}\n`));
    assert.match(stderr, /larger than 8 MiB: refused/);
  });
});
