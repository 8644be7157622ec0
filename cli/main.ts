import { Command, CommanderError } from "commander";
import { registerAuditCommand } from "./audit-command";
import { registerDiscoverCommand } from "./discover-command";
import type { CliInvocation, CliIo } from "./cli-io";
import { addCommandHelp } from "./command-help";
import { COMMAND_EXAMPLES } from "./command-examples";
import { registerLintCommand } from "./lint-command";
import { packageVersion } from "./package-version";
import { registerPromoteCommand } from "./promote-command";
import { registerRenderCommand } from "./render-command";
import { registerReportCommand } from "./report-command";
import { registerTraceCommand } from "./trace-command";

/** The `mesh-egress` command line: each subcommand lives in its own file and registers itself here. */
export function buildProgram(invocation: CliInvocation): Command {
  const program = new Command("mesh-egress")
    .description("Render, lint (manifests or a live cluster) and report the egress platform.")
    .version(packageVersion(), "-V, --version", "print the version and exit")
    .configureOutput({
      writeOut: (text) => void invocation.io.stdout.write(text),
      writeErr: (text) => void invocation.io.stderr.write(text),
    })
    // A one-line pointer, not the whole help: the error (and commander's "Did you mean …?") stays visible.
    .showHelpAfterError("(run `mesh-egress --help` for the commands, `mesh-egress <command> --help` for one)")
    // Commander throws a CommanderError instead of calling process.exit; runCli turns it into a code.
    .exitOverride();
  registerRenderCommand(program, invocation);
  registerLintCommand(program, invocation);
  registerPromoteCommand(program, invocation);
  registerReportCommand(program, invocation);
  registerAuditCommand(program, invocation);
  registerTraceCommand(program, invocation);
  registerDiscoverCommand(program, invocation);
  for (const command of [program, ...program.commands]) {
    const help = COMMAND_EXAMPLES[command.name()];
    if (help) addCommandHelp(command, help);
  }
  return program;
}

/**
 * Runs `mesh-egress <argv>` in this process with the given streams and resolves to its exit code. It never
 * exits the process nor sets process.exitCode: bin/mesh-egress.js does that with the code returned.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const invocation: CliInvocation = { io, exitCode: 0 };
  const program = buildProgram(invocation);
  // No arguments is a request for the overview, not a usage error: help on stdout, exit 0.
  if (argv.length === 0) {
    program.outputHelp();
    return 0;
  }
  try {
    await program.parseAsync([...argv], { from: "user" });
    return invocation.exitCode;
  } catch (err) {
    // Usage errors (unknown flag, missing argument) exit 2, like every other bad-input path; --help exits 0.
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    io.stderr.write(`mesh-egress: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
}
