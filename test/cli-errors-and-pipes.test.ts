import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { COMMAND_EXAMPLES } from "../cli/command-examples";
import { compiledCliMain } from "./support/compiled-cli";
import { runCli, runCliProcess } from "./support/run-cli";
import { PROJECT_DIR } from "./support/stacks";

/** Runs the binary with its stdout closed by the reader before it writes, as `| head -0` does (no race with the pipe buffer). */
function runWithReaderGone(args: readonly string[]): Promise<{ status: number | null; stderr: string }> {
  compiledCliMain();
  const child = spawn(process.execPath, [path.join(PROJECT_DIR, "bin", "mesh-egress.js"), ...args], {
    cwd: PROJECT_DIR,
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  child.stdout.destroy();
  return new Promise((resolve) => child.on("close", (status) => resolve({ status, stderr })));
}

/** The `npx mesh-egress …` part of an example as argument lists, one per stage of a pipe. */
function examplePipeline(example: string): string[][] {
  return example.split(" | ").map((stage) => {
    assert.match(stage, /^npx mesh-egress /, `each stage runs as typed after npm ci: ${example}`);
    return stage.replace(/^npx mesh-egress /, "").split(" ");
  });
}

describe("mesh-egress errors and pipes", function () {
  this.timeout(120_000); // child processes on a shared machine

  it("ends quietly with exit 0 when the reader of render's output stops early (render | head)", async () => {
    const result = await runWithReaderGone(["render", "--stack", "prod"]);
    assert.equal(result.stderr, "");
    assert.equal(result.status, 0);
  });

  it("asks for - when lint's stdin is piped but no path is given, instead of reading a live cluster", () => {
    const result = runCliProcess(["lint", "--environment", "dev"], "apiVersion: v1\nkind: Namespace\n");
    assert.equal(result.status, 2);
    assert.match(result.stderr, /stdin is piped, but lint reads stdin only when a path is -: add -/);
    assert.doesNotMatch(result.stderr, /kubectl/);
  });

  it("lists the project's stacks for an unknown --to or --from of promote", async () => {
    for (const args of [
      ["--from", "dev", "--to", "staging"],
      ["--from", "staging", "--to", "prod"],
    ]) {
      const result = await runCli(["promote", ...args, "--service", "stripe", "--dry-run"]);
      assert.equal(result.status, 2);
      assert.match(
        result.stderr,
        /no stack "staging" in this project \(no Pulumi\.staging\.yaml\); stacks: dev, prod/,
      );
    }
  });

  it("says a missing stack file is not found, for render and report alike, naming the file and init", async () => {
    const missing = path.join(os.tmpdir(), "mesh-egress-absent", "Pulumi.absent.yaml");
    for (const command of ["render", "report"]) {
      const result = await runCli([command, "--stack-file", missing]);
      assert.equal(result.status, 2);
      assert.equal(result.stdout, "");
      assert.match(result.stderr, new RegExp(`^${missing.replace(/[.]/g, "\\.")}: stack file not found\n`));
      assert.match(result.stderr, /mesh-egress init/);
      assert.doesNotMatch(result.stderr, /invalid/);
    }
    const report = await runCli(["report", "--stack", "staging"]);
    assert.match(report.stderr, /no stack "staging" in this project .*stacks: dev, prod/);
  });

  it("exits 2 for an unknown command whatever follows it, --help included", async () => {
    for (const args of [
      ["nosuch"],
      ["nosuch", "--help"],
      ["nosuch", "-h"],
      ["nosuch", "render", "--stack", "dev"],
    ]) {
      const result = await runCli(args);
      assert.equal(result.status, 2, args.join(" "));
      assert.match(result.stderr, /unknown command 'nosuch'/);
      assert.doesNotMatch(result.stdout, /Usage:/);
    }
    assert.equal((await runCli(["help", "render"])).status, 0);
  });

  it("runs every help example as typed, without a usage or input error (audit needs a Prometheus: its parse only)", async () => {
    const cwd = process.cwd();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-examples-"));
    // A copy of the clone's stack files: examples name them relative to where they run, and write out/ and init's stacks.
    for (const file of fs.readdirSync(PROJECT_DIR).filter((f) => /^Pulumi\..+\.yaml$/.test(f))) {
      fs.copyFileSync(path.join(PROJECT_DIR, file), path.join(dir, file));
    }
    fs.cpSync(path.join(PROJECT_DIR, "registries"), path.join(dir, "registries"), { recursive: true });
    process.chdir(dir);
    try {
      const examples = Object.values(COMMAND_EXAMPLES).flatMap((help) =>
        help.examples.map(([example]) => example),
      );
      // render --out first: lint's examples read the file it writes.
      examples.sort((a, b) => Number(b.includes("--out")) - Number(a.includes("--out")));
      for (const example of examples) {
        if (!example.startsWith("npx ")) continue; // starts with another tool (git, kubectl) the test cannot stand in for
        const stages = examplePipeline(example);
        const live = ["--prometheus", "--kubeconfig"].some((needs) => stages[0]!.includes(needs));
        if (live || (stages[0]![0] === "promote" && !stages[0]!.includes("--dry-run"))) {
          // Parsed, not run: --prometheus needs a Prometheus, --kubeconfig a cluster; promote would write stack files.
          const help = await runCli([...stages[0]!, "--help"]);
          assert.equal(help.status, 0, `${example}: ${help.stderr}`);
          continue;
        }
        let input = "";
        for (const args of stages) {
          const result = await runCli(args, input);
          assert.ok(
            result.status === 0 || result.status === 1,
            `${example} (${args.join(" ")}): ${result.stderr}`,
          );
          input = result.stdout;
        }
      }
    } finally {
      process.chdir(cwd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
