import { Command, Option } from "commander";
import * as fs from "fs";
import * as path from "path";
import { ConfigError, formatIssue } from "../stacks/config-error";
import { expiredBreakGlassWarnings } from "../stacks/break-glass";
import { evaluationTime, parseNow } from "../stacks/evaluation-time";
import { loadStackFile, stackFilePath } from "../stacks/load-config";
import type { CliInvocation, CliIo } from "./cli-io";
import { meshConfigNotice } from "./mesh-config-notice";
import { renderDocuments, toMultiDocumentYaml } from "./render";

interface RenderOptions {
  readonly stack?: string;
  readonly stackFile?: string;
  readonly out?: string;
  readonly now?: string;
}

/** `mesh-egress render`: the manifests `pulumi up` would deploy, without a cluster. */
export function registerRenderCommand(program: Command, invocation: CliInvocation): void {
  program
    .command("render")
    .description("Print every object the program deploys for a stack, as multi-document YAML in apply order.")
    .addOption(
      new Option("--stack <name>", "render Pulumi.<name>.yaml from the project").conflicts("stackFile"),
    )
    .addOption(new Option("--stack-file <path>", "render any file in the Pulumi.<stack>.yaml format"))
    .option("--out <dir>", "also write the YAML to <dir>/<stack>.yaml")
    .option("--now <time>", "judge break-glass entries at this RFC 3339 time instead of the clock")
    .action((options: RenderOptions) => {
      invocation.exitCode = runRender(options, invocation.io);
    });
}

/** Returns the exit code: 0 rendered, 2 bad input (errors on stderr, nothing on stdout). */
export function runRender(options: RenderOptions, io: CliIo): number {
  if (!options.stack && !options.stackFile) {
    io.stderr.write("render: give --stack NAME or --stack-file PATH\n");
    return 2;
  }
  const file = options.stackFile ?? stackFilePath(options.stack as string);
  let yaml: string;
  try {
    const config = loadStackFile(file, options.now ? parseNow(options.now, "--now") : evaluationTime());
    yaml = meshConfigNotice(config) + toMultiDocumentYaml(renderDocuments(config));
    for (const warning of expiredBreakGlassWarnings(config.breakGlass))
      io.stderr.write(`warning: ${warning}
`);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr.write(`${err.source}: invalid mesh-egress configuration\n`);
      for (const issue of err.issues) io.stderr.write(`${formatIssue(issue)}\n`);
      return 2;
    }
    throw err;
  }
  if (options.out) {
    fs.mkdirSync(options.out, { recursive: true });
    const name = options.stack ?? path.basename(file).replace(/^Pulumi\.|\.ya?ml$/g, "");
    fs.writeFileSync(path.join(options.out, `${name}.yaml`), yaml);
  }
  io.stdout.write(yaml);
  return 0;
}
