import { strict as assert } from "assert";
import { buildProgram } from "../cli/main";
import { runCli } from "./support/run-cli";

const pkg = require("../package.json") as { version: string; dependencies: Record<string, string> };

describe("mesh-egress help, version and usage errors", () => {
  it("prints the package version and the Pulumi SDK it deploys through for --version, exiting 0", async () => {
    for (const flag of ["--version", "-V"]) {
      const result = await runCli([flag]);
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`^${pkg.version.replace(/\./g, "\\.")} `));
      assert.ok(
        result.stdout.includes(`@pulumi/pulumi ${pkg.dependencies["@pulumi/pulumi"]}`),
        result.stdout,
      );
    }
  });

  it("prints the overview on stdout and exits 0 when run with no arguments", async () => {
    const result = await runCli([]);
    assert.equal(result.status, 0);
    assert.equal(result.stderr, "");
    assert.match(result.stdout, /^Usage: mesh-egress/);
    assert.equal(result.stdout, (await runCli(["--help"])).stdout);
  });

  it("suggests the nearest command for a misspelt one, points at --help, and exits 2", async () => {
    const result = await runCli(["rendr", "--stack", "dev"]);
    assert.equal(result.status, 2);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /unknown command 'rendr'/);
    assert.match(result.stderr, /Did you mean render\?/);
    assert.match(result.stderr, /mesh-egress --help/);
    assert.doesNotMatch(
      result.stderr,
      /Usage:/,
      "the pointer replaces the full help, so the error stays visible",
    );
  });

  it("ends every command's help with runnable examples and the meaning of each exit code", async () => {
    const names = buildProgram({
      io: { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
      exitCode: 0,
    })
      .commands.map((c) => c.name())
      .filter((name) => name !== "help");
    assert.deepEqual(names.slice().sort(), [
      "audit",
      "discover",
      "lint",
      "promote",
      "render",
      "report",
      "trace",
    ]);
    for (const args of [[], ...names.map((name) => [name])]) {
      const result = await runCli([...args, "--help"]);
      assert.equal(result.status, 0, result.stderr);
      const command = args[0] ?? "mesh-egress";
      const examples = /\nExamples:\n([\s\S]*?)\n\nExit codes:\n([\s\S]*)$/.exec(result.stdout);
      assert.ok(examples, `${command} --help has Examples and Exit codes sections:\n${result.stdout}`);
      const runnable = examples[1].split("\n").filter((line) => !line.trimStart().startsWith("#"));
      assert.ok(runnable.length >= 2, `${command} shows at least two examples`);
      for (const line of runnable) assert.match(line, new RegExp(`mesh-egress ${args[0] ?? ""}`), line);
      const codes = examples[2]
        .trim()
        .split("\n")
        .map((line) => Number(line.trim().split(/\s+/)[0]));
      assert.ok(codes.includes(0) && codes.includes(2), `${command} explains exit 0 and 2: ${codes}`);
    }
  });
});
