import type { Command } from "commander";

/** What every command's `--help` ends with: runnable examples and what each exit code means. */
export interface CommandHelp {
  readonly examples: readonly (readonly [command: string, why: string])[];
  readonly exitCodes: readonly (readonly [code: number, meaning: string])[];
}

/** Appends the examples and exit codes to a command's help, in commander's own layout. */
export function addCommandHelp(command: Command, help: CommandHelp): Command {
  const lines = [
    "",
    "Examples:",
    ...help.examples.flatMap(([example, why]) => [`  # ${why}`, `  ${example}`]),
    "",
    "Exit codes:",
    ...help.exitCodes.map(([code, meaning]) => `  ${code}  ${meaning}`),
  ];
  return command.addHelpText("after", lines.join("\n"));
}
