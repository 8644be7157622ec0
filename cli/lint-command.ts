import { Command } from "commander";

/** Placeholder until the policy pack's lint lands (issue 3). */
export function registerLintCommand(program: Command): void {
  program
    .command("lint")
    .description("Run the egress-guardrails rules over Kubernetes manifests.")
    .action(() => {
      process.stderr.write("lint: not implemented yet\n");
      process.exitCode = 2;
    });
}
