import * as path from "path";

/** `--stack-file -`: the stack file is read from stdin. */
export const STDIN_STACK_FILE = "-";

/**
 * The stack name `render --out DIR` writes DIR/<name>.yaml under, or an error saying why the input is not a
 * stack file. Pulumi.<stack>.yaml gives <stack>; any other file its base name; stdin `stdin`.
 */
export function renderOutputName(options: {
  readonly stack?: string;
  readonly stackFile?: string;
}): { name: string } | { error: string } {
  if (options.stack) return { name: options.stack };
  const file = options.stackFile as string;
  if (file === STDIN_STACK_FILE) return { name: "stdin" };
  const base = path.basename(file);
  // Pulumi.yaml is the project file: it has no `config:` values, and "Pulumi" is no stack name.
  if (/^Pulumi\.ya?ml$/.test(base)) {
    return {
      error:
        `${file} is the Pulumi project file, not a stack file: ` +
        "give a Pulumi.<stack>.yaml (e.g. --stack-file Pulumi.dev.yaml, or --stack dev)",
    };
  }
  const stack = /^Pulumi\.(.+)\.ya?ml$/.exec(base)?.[1];
  return { name: stack ?? base.replace(/\.ya?ml$/, "") };
}
