import { Command } from "commander";
import { registerRenderCommand } from "./render-command";
import { registerLintCommand } from "./lint-command";

/** The `mesh-egress` command line: each subcommand lives in its own file and registers itself here. */
export function buildProgram(): Command {
  const program = new Command("mesh-egress")
    .description("Render, lint (manifests or a live cluster) and report the egress platform.")
    .showHelpAfterError()
    .exitOverride((err) => {
      // Usage errors (unknown flag, missing argument) exit 2, like every other bad-input path.
      process.exit(err.exitCode === 0 ? 0 : 2);
    });
  registerRenderCommand(program);
  registerLintCommand(program);
  return program;
}

if (
  require.main === module ||
  process.argv[1]?.endsWith("mesh-egress.js") ||
  process.argv[1]?.endsWith("mesh-egress")
) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      process.stderr.write(`mesh-egress: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(2);
    });
}
