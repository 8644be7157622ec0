import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runCli } from "./support/run-cli";
import { PROJECT_DIR } from "./support/stacks";

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-render-"));
}

describe("mesh-egress render: where the stack comes from and where --out writes", () => {
  const devFile = path.join(PROJECT_DIR, "Pulumi.dev.yaml");

  it("reads the stack file from stdin for --stack-file -, printing what --stack prints", async () => {
    const fromStdin = await runCli(["render", "--stack-file", "-"], fs.readFileSync(devFile, "utf8"));
    assert.equal(fromStdin.status, 0, fromStdin.stderr);
    assert.equal(fromStdin.stdout, (await runCli(["render", "--stack", "dev"])).stdout);
  });

  it("names <stdin> in the errors of an invalid stack read from stdin, and exits 2", async () => {
    const result = await runCli(
      ["render", "--stack-file", "-"],
      "config:\n  mesh-egress:environment: staging\n",
    );
    assert.equal(result.status, 2);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /^<stdin>: invalid mesh-egress configuration\nenvironment: /);
  });

  it("writes stdin's render to <dir>/stdin.yaml and a file's to its stack name", async () => {
    const dir = tempDir();
    const stdin = await runCli(
      ["render", "--stack-file", "-", "--out", dir],
      fs.readFileSync(devFile, "utf8"),
    );
    assert.equal(stdin.status, 0, stdin.stderr);
    const file = await runCli(["render", "--stack-file", devFile, "--out", dir]);
    assert.equal(file.status, 0, file.stderr);
    assert.deepEqual(fs.readdirSync(dir).sort(), ["dev.yaml", "stdin.yaml"]);
    assert.equal(fs.readFileSync(path.join(dir, "dev.yaml"), "utf8"), file.stdout);
  });

  it("refuses --out naming an existing file, saying it must be a directory, and leaves the file alone", async () => {
    const file = path.join(tempDir(), "prod.yaml");
    fs.writeFileSync(file, "kept\n");
    const result = await runCli(["render", "--stack", "prod", "--out", file]);
    assert.equal(result.status, 2);
    assert.equal(result.stdout, "");
    assert.match(
      result.stderr,
      /--out .*prod\.yaml is a file, but --out names a directory \(the YAML goes to <dir>\/prod\.yaml\)/,
    );
    assert.equal(fs.readFileSync(file, "utf8"), "kept\n");
  });

  it("refuses the project file Pulumi.yaml as a stack file, naming the stack files to give instead", async () => {
    const result = await runCli(["render", "--stack-file", path.join(PROJECT_DIR, "Pulumi.yaml")]);
    assert.equal(result.status, 2);
    assert.equal(result.stdout, "");
    assert.match(
      result.stderr,
      /Pulumi\.yaml is the Pulumi project file, not a stack file: give a Pulumi\.<stack>\.yaml/,
    );
  });
});
