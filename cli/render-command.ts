import { Command, Option } from "commander";
import * as fs from "fs";
import * as path from "path";
import { MAX_STACK_FILE_BYTES, TextInputError } from "../stacks/bounded-text";
import { ConfigError, formatIssue } from "../stacks/model/config-error";
import { expiredBreakGlassWarnings } from "../stacks/model/break-glass";
import { evaluationTime, parseNow } from "../stacks/evaluation-time";
import { loadStackFile, loadStackText, stackFilePath } from "../stacks/load-config";
import type { EgressConfig } from "../stacks/model/egress-config";
import type { CliInvocation, CliIo } from "./cli-io";
import { meshConfigNotice } from "./mesh-config-notice";
import { readStream } from "./read-stream";
import { renderDocuments, toMultiDocumentYaml } from "./render";
import { renderOutputName, STDIN_STACK_FILE } from "./render-output-name";
import { unknownStackProblem } from "./unknown-stack";

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
    .addOption(
      new Option("--stack-file <path>", "render any file in the Pulumi.<stack>.yaml format; - reads stdin"),
    )
    .option("--out <dir>", "also write the YAML to <dir>/<stack>.yaml (replacing it)")
    .option("--now <time>", "judge break-glass entries at this RFC 3339 time instead of the clock")
    .action(async (options: RenderOptions) => {
      invocation.exitCode = await runRender(options, invocation.io);
    });
}

/** Returns the exit code: 0 rendered, 2 bad input (errors on stderr, nothing on stdout). */
export async function runRender(options: RenderOptions, io: CliIo): Promise<number> {
  if (!options.stack && !options.stackFile) {
    io.stderr.write("render: give --stack NAME or --stack-file PATH (- for stdin)\n");
    return 2;
  }
  const output = renderOutputName(options);
  if ("error" in output) {
    io.stderr.write(`render: ${output.error}\n`);
    return 2;
  }
  // Checked before rendering, so a bad --out leaves nothing half-done.
  if (options.out && fs.existsSync(options.out) && !fs.statSync(options.out).isDirectory()) {
    io.stderr.write(
      `render: --out ${options.out} is a file, but --out names a directory (the YAML goes to ` +
        `<dir>/${output.name}.yaml): give a directory, or redirect stdout to write one file\n`,
    );
    return 2;
  }
  if (options.stack !== undefined) {
    const problem = unknownStackProblem(options.stack, "For another file use --stack-file PATH");
    if (problem) {
      io.stderr.write(`render: ${problem}\n`);
      return 2;
    }
  }
  let yaml: string;
  try {
    const config = await loadConfig(options, io);
    yaml = meshConfigNotice(config) + toMultiDocumentYaml(renderDocuments(config));
    for (const warning of expiredBreakGlassWarnings(config.breakGlass))
      io.stderr.write(`warning: ${warning}\n`);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr.write(`${err.source}: ${err.headline}\n`);
      for (const issue of err.issues) io.stderr.write(`${formatIssue(issue)}\n`);
      return 2;
    }
    throw err;
  }
  if (options.out) {
    fs.mkdirSync(options.out, { recursive: true });
    fs.writeFileSync(path.join(options.out, `${output.name}.yaml`), yaml);
  }
  io.stdout.write(yaml);
  return 0;
}

/** The validated config of --stack, --stack-file, or stdin (whose shared registry resolves from the cwd), judged at --now. */
async function loadConfig(options: RenderOptions, io: CliIo): Promise<EgressConfig> {
  // Inside the caller's try: a bad --now is a ConfigError like any other bad input.
  // An empty --now (an unset variable) is refused, never read as "use the clock".
  const now = options.now !== undefined ? parseNow(options.now, "--now") : evaluationTime();
  if (options.stackFile === STDIN_STACK_FILE) {
    let text: string;
    try {
      text = await readStream(io.stdin, MAX_STACK_FILE_BYTES);
    } catch (e) {
      if (!(e instanceof TextInputError)) throw e;
      throw new ConfigError("<stdin>", [{ path: "", message: `cannot read stack file: ${e.message}` }]);
    }
    return loadStackText(text, "<stdin>", process.cwd(), now);
  }
  return loadStackFile(options.stackFile ?? stackFilePath(options.stack as string), now);
}
