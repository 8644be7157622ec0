import { Command, CommanderError } from "commander";
import type { CliInvocation, CliIo } from "./cli-io";
import { registerAuditCommand } from "./audit-command";
import { registerLintCommand } from "./lint-command";
import { registerPromoteCommand } from "./promote-command";
import { registerRenderCommand } from "./render-command";
import { registerReportCommand } from "./report-command";

/** The `mesh-egress` command line: each subcommand lives in its own file and registers itself here. */
export function buildProgram(invocation: CliInvocation): Command {
  const program = new Command("mesh-egress")
    .description("Render, lint and report the egress platform without a cluster.")
    .configureOutput({
      writeOut: (text) => void invocation.io.stdout.write(text),
      writeErr: (text) => void invocation.io.stderr.write(text),
    })
    .showHelpAfterError()
    // Commander throws a CommanderError instead of calling process.exit; runCli turns it into a code.
    .exitOverride();
  registerRenderCommand(program, invocation);
  registerLintCommand(program, invocation);
  registerReportCommand(program, invocation);
  registerAuditCommand(program, invocation);
  registerPromoteCommand(program, invocation);
  return program;
}

/**
 * Runs `mesh-egress <argv>` in this process with the given streams and resolves to its exit code. It never
 * exits the process nor sets process.exitCode: bin/mesh-egress.js does that with the code returned.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const invocation: CliInvocation = { io, exitCode: 0 };
  try {
    await buildProgram(invocation).parseAsync([...argv], { from: "user" });
    return invocation.exitCode;
  } catch (err) {
    // Usage errors (unknown flag, missing argument) exit 2, like every other bad-input path; --help exits 0.
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    io.stderr.write(`mesh-egress: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
}
