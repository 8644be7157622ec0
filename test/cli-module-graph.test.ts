import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { compiledCliMain } from "./support/compiled-cli";
import { PROJECT_DIR } from "./support/stacks";

/**
 * Runs the compiled CLI's commands in one fresh Node process and returns every module it loaded
 * (require.cache), so the test sees what `npx mesh-egress` loads, not what mocha already holds.
 */
function modulesLoadedBy(commands: readonly (readonly string[])[]): string[] {
  const script = `
    const { runCli } = require(${JSON.stringify(compiledCliMain())});
    const { Readable } = require("stream");
    const sink = { write: () => true };
    (async () => {
      let rendered = "";
      for (const args of ${JSON.stringify(commands)}) {
        const stdout = { write: (text) => (rendered += text) };
        const code = await runCli(args, { stdin: Readable.from([rendered]), stdout, stderr: sink });
        if (args[0] !== "render") rendered = "";
        if (code !== 0) throw new Error(args.join(" ") + " exited " + code);
      }
      process.stdout.write(JSON.stringify(Object.keys(require.cache)));
    })().catch((err) => { process.stderr.write(String(err)); process.exitCode = 1; });
  `;
  const child = spawnSync(process.execPath, ["-e", script], { cwd: PROJECT_DIR, encoding: "utf8" });
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout) as string[];
}

const pulumiModules = (modules: readonly string[]): string[] =>
  modules.filter(
    (m) =>
      m.split(path.sep).includes("@pulumi") ||
      m.includes(`${path.sep}components${path.sep}pulumi${path.sep}`),
  );

describe("the compiled CLI's module graph", function () {
  this.timeout(60_000);

  it("holds no Pulumi module after render, lint, report, promote and audit's help", () => {
    const modules = modulesLoadedBy([
      ["render", "--stack", "prod"],
      ["lint", "--environment", "prod", "-"],
      ["report", "--stack", "prod"],
      ["promote", "--from", "dev", "--to", "prod", "--service", "stripe", "--dry-run"],
      ["audit", "--help"],
    ]);
    assert.ok(
      modules.some((m) => m.endsWith(path.join("dist", "cli", "render.js"))),
      "the render ran from dist/",
    );
    assert.ok(
      modules.some((m) => m.includes(`${path.sep}zod${path.sep}`)),
      "the stack was validated",
    );
    assert.deepEqual(pulumiModules(modules), []);
  });

  it("would see the SDK if a command loaded it: the program's component graph does", () => {
    const script = `require(${JSON.stringify(path.join(PROJECT_DIR, "dist", "components", "pulumi", "egress-platform.js"))});
      process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
    compiledCliMain();
    const child = spawnSync(process.execPath, ["-e", script], { cwd: PROJECT_DIR, encoding: "utf8" });
    assert.equal(child.status, 0, child.stderr);
    assert.ok(pulumiModules(JSON.parse(child.stdout) as string[]).some((m) => m.includes("@pulumi/pulumi")));
  });
});
