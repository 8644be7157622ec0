import * as path from "path";
import { ConfigError, formatIssue } from "../stacks/model/config-error";
import type { EgressConfig } from "../stacks/model/egress-config";
import { evaluationTime, parseNow } from "../stacks/evaluation-time";
import { loadStackFile, stackFilePath } from "../stacks/load-config";
import type { CliIo } from "./cli-io";
import { unknownStackProblem } from "./unknown-stack";

export interface StackOptions {
  readonly stack?: string;
  readonly stackFile?: string;
  /** RFC 3339: judge break-glass entries at this time instead of the clock. */
  readonly now?: string;
}

export type LoadedStack =
  | { readonly ok: true; readonly config: EgressConfig; readonly name: string }
  | { readonly ok: false; readonly exitCode: 2 };

/**
 * The validated config named by `--stack` or `--stack-file`. Bad input is written to stderr, one
 * path-qualified error per line, and comes back as exit code 2.
 */
export function loadStackOption(
  command: string,
  options: StackOptions,
  stderr: CliIo["stderr"],
): LoadedStack {
  if (!options.stack && !options.stackFile) {
    stderr.write(`${command}: give --stack NAME or --stack-file PATH\n`);
    return { ok: false, exitCode: 2 };
  }
  const unknown =
    options.stack !== undefined &&
    unknownStackProblem(options.stack, "For another file use --stack-file PATH");
  if (unknown) {
    stderr.write(`${command}: ${unknown}\n`);
    return { ok: false, exitCode: 2 };
  }
  const file = options.stackFile ?? stackFilePath(options.stack as string);
  const name = options.stack ?? path.basename(file).replace(/^Pulumi\.|\.ya?ml$/g, "");
  try {
    // An empty --now (an unset variable) is refused, never read as "use the clock".
    const now = options.now !== undefined ? parseNow(options.now, "--now") : evaluationTime();
    return { ok: true, config: loadStackFile(file, now), name };
  } catch (err) {
    if (err instanceof ConfigError) {
      stderr.write(`${err.source}: ${err.headline}\n`);
      for (const issue of err.issues) stderr.write(`${formatIssue(issue)}\n`);
      return { ok: false, exitCode: 2 };
    }
    throw err;
  }
}
