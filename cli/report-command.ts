import { Command, Option } from "commander";
import type { CliInvocation, CliIo } from "./cli-io";
import { buildEgressReport, egressReportDocument } from "./egress-report";
import { formatDocument, REPORT_FORMATS, ReportFormat } from "./report-document";
import { loadStackOption, StackOptions } from "./stack-option";

interface ReportOptions extends StackOptions {
  readonly format: ReportFormat;
}

/** `mesh-egress report`: the declared egress of a stack, as an auditor reads it. Needs no cluster. */
export function registerReportCommand(program: Command, invocation: CliInvocation): void {
  program
    .command("report")
    .description(
      "Print a stack's declared egress: one row per tenant × destination, the gateway's HA settings, and what is not enforceable.",
    )
    .addOption(
      new Option("--stack <name>", "report Pulumi.<name>.yaml from the project").conflicts("stackFile"),
    )
    .addOption(new Option("--stack-file <path>", "report any file in the Pulumi.<stack>.yaml format"))
    .addOption(new Option("--format <format>", "output format").choices(REPORT_FORMATS).default("text"))
    .option("--now <time>", "judge break-glass entries at this RFC 3339 time instead of the clock")
    .action((options: ReportOptions) => {
      invocation.exitCode = runReport(options, invocation.io);
    });
}

/** Returns the exit code: 0 reported, 2 bad input (errors on stderr, nothing on stdout). */
export function runReport(options: ReportOptions, io: Pick<CliIo, "stdout" | "stderr">): number {
  const loaded = loadStackOption("report", options, io.stderr);
  if (!loaded.ok) return loaded.exitCode;
  const report = buildEgressReport(loaded.config, loaded.name);
  io.stdout.write(formatDocument(egressReportDocument(report), options.format));
  return 0;
}
