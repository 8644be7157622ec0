import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { validateWorkflow } from "@action-validator/core";
import { parse as parseYaml } from "yaml";
import { buildProgram } from "../cli/main";
import { PROJECT_DIR } from "./support/stacks";

const WORKFLOWS_DIR = path.join(PROJECT_DIR, ".github", "workflows");
const workflowFiles = fs
  .readdirSync(WORKFLOWS_DIR)
  .filter((f) => f.endsWith(".yml"))
  .sort();
const text = (file: string) => fs.readFileSync(path.join(WORKFLOWS_DIR, file), "utf8");
const workflow = (file: string): any => parseYaml(text(file));

/** Every stack file of the project, with the tier it declares. */
const projectStacks: Record<string, string> = Object.fromEntries(
  fs
    .readdirSync(PROJECT_DIR)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .map((stack) => [
      stack,
      parseYaml(fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8")).config[
        "mesh-egress:environment"
      ],
    ]),
);

/** Every shell line the workflows run. */
function runLines(): { file: string; line: string }[] {
  return workflowFiles.flatMap((file) =>
    Object.values(workflow(file).jobs as Record<string, any>).flatMap((job) =>
      (job.steps ?? [])
        .filter((step: any) => typeof step.run === "string")
        .flatMap((step: any) =>
          (step.run as string)
            .split("\n")
            .map((line) => line.trim())
            .filter(Boolean)
            .map((line) => ({ file, line })),
        ),
    ),
  );
}

/** The matrix rows of a job, as `{stack, tier}` (tier defaulting to the job's `with.tier`). */
function matrixStacks(file: string, jobName: string): { stack: string; tier: string }[] {
  const job = workflow(file).jobs[jobName];
  return (job.strategy?.matrix?.include ?? [{ stack: job.with?.stack }]).map((row: any) => ({
    stack: row.stack,
    tier: row.tier ?? job.with?.tier,
  }));
}

describe("the GitHub workflows", () => {
  it("ship a pull-request, a deploy, a drift and the shared stack workflow", () => {
    assert.deepEqual(workflowFiles, ["deploy.yml", "drift.yml", "pull-request.yml", "pulumi-stack.yml"]);
  });

  for (const file of workflowFiles) {
    it(`${file} is a valid workflow for action-validator (GitHub's workflow schema)`, () => {
      const { errors } = validateWorkflow(text(file));
      assert.deepEqual(errors, [], JSON.stringify(errors, null, 2));
    });
  }

  it("the validator refuses a workflow with a misspelt key, so the checks above can fail", () => {
    const broken = text("pull-request.yml").replace("runs-on: ubuntu-latest", "run-on: ubuntu-latest");
    assert.notEqual(validateWorkflow(broken).errors.length, 0);
  });

  it("run only npm scripts that package.json defines", () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8")).scripts;
    const used = runLines().flatMap(({ line }) => {
      const run = /^npm (?:run )?(\S+)/.exec(line);
      return run && !["ci", "install"].includes(run[1]!) ? [run[1]!] : [];
    });
    assert.ok(used.includes("test"), "the pull request runs the tests");
    for (const script of used) assert.ok(script in scripts, `npm ${script} is not a script of package.json`);
  });

  it("run only mesh-egress commands and flags the CLI defines", () => {
    const silent = { write: () => true };
    const program = buildProgram({
      io: { stdin: process.stdin, stdout: silent, stderr: silent },
      exitCode: 0,
    });
    const calls = runLines().filter(({ line }) => line.startsWith("npx mesh-egress "));
    assert.deepEqual([...new Set(calls.map(({ line }) => line.split(/\s+/)[2]))].sort(), ["lint", "render"]);
    for (const { file, line } of calls) {
      const [, , name, ...args] = line.split(/\s+/);
      const command = program.commands.find((c) => c.name() === name);
      assert.ok(command, `${file}: mesh-egress ${name} is not a command`);
      for (const flag of args.filter((a) => a.startsWith("--"))) {
        assert.ok(
          command.options.some((o) => o.long === flag),
          `${file}: mesh-egress ${name} has no option ${flag}`,
        );
      }
    }
  });

  it("render and lint every stack file at the tier it declares, on every pull request", () => {
    const rows = matrixStacks("pull-request.yml", "render-lint");
    assert.deepEqual(Object.fromEntries(rows.map((r) => [r.stack, r.tier])), projectStacks);
  });

  it("preview every stack with the policy pack at its tier on pull requests and on schedule, gating on it", () => {
    for (const [file, job] of [
      ["pull-request.yml", "preview"],
      ["drift.yml", "drift"],
    ] as const) {
      const rows = matrixStacks(file, job);
      assert.deepEqual(Object.fromEntries(rows.map((r) => [r.stack, r.tier])), projectStacks, file);
      assert.equal(workflow(file).jobs[job].uses, "./.github/workflows/pulumi-stack.yml");
    }
    assert.deepEqual(workflow("pull-request.yml").jobs.preview.needs, ["test", "render-lint"]);
    assert.equal(workflow("pull-request.yml").jobs.preview.with["comment-on-pr"], true);
    assert.equal(workflow("drift.yml").jobs.drift.with["expect-no-changes"], true);
    const pulumi = workflow("pulumi-stack.yml").jobs.pulumi.steps.find((s: any) =>
      String(s.uses).startsWith("pulumi/actions@"),
    ).with;
    assert.equal(pulumi.policyPacks, "./policy");
    assert.equal(pulumi.policyPackConfigs, "policy/config/${{ inputs.tier }}.json");
    for (const tier of new Set(Object.values(projectStacks))) {
      assert.ok(fs.existsSync(path.join(PROJECT_DIR, "policy", "config", `${tier}.json`)), tier);
    }
    assert.ok(fs.existsSync(path.join(PROJECT_DIR, "policy", "PulumiPolicy.yaml")));
  });

  it("update dev on merge, and each prod stack only through the protected environment after the previews", () => {
    const jobs = workflow("deploy.yml").jobs;
    assert.deepEqual(workflow("deploy.yml").on, { push: { branches: ["main"] } });
    assert.deepEqual([jobs["up-dev"].with.command, jobs["up-dev"].with.stack], ["up", "dev"]);
    const prodStacks = Object.keys(projectStacks)
      .filter((s) => projectStacks[s] === "prod")
      .sort();
    assert.deepEqual(
      matrixStacks("deploy.yml", "preview-prod")
        .map((r) => r.stack)
        .sort(),
      prodStacks,
    );
    assert.deepEqual(
      matrixStacks("deploy.yml", "up-prod")
        .map((r) => r.stack)
        .sort(),
      prodStacks,
    );
    assert.deepEqual(jobs["up-prod"].needs, ["up-dev", "preview-prod"]);
    assert.equal(jobs["up-prod"].with.environment, "production");
    const ups = Object.values(jobs as Record<string, any>).filter((j) => j.with?.command === "up");
    for (const job of ups) {
      if (job.with.tier === "prod") assert.equal(job.with.environment, "production");
    }
  });

  it("take credentials from OIDC and secrets only, never from a file in the repository", () => {
    const stack = workflow("pulumi-stack.yml").jobs.pulumi;
    assert.equal(stack.permissions["id-token"], "write", "OIDC token for Pulumi Cloud");
    assert.ok(stack.steps.some((s: any) => String(s.uses).startsWith("pulumi/auth-actions@")));
    const kubeconfig = stack.steps.find((s: any) => s.env?.KUBECONFIG_CONTENT);
    assert.equal(kubeconfig.env.KUBECONFIG_CONTENT, "${{ secrets[inputs.kubeconfig-secret] }}");
    for (const file of workflowFiles) {
      assert.doesNotMatch(text(file), /PULUMI_ACCESS_TOKEN|PULUMI_CONFIG_PASSPHRASE:\s*[^$\s]/, file);
    }
  });
});
