import type { CliInvocation, CliIo } from "./cli-io";
import { Command, Option } from "commander";
import {
  auditQueries,
  buildEgressAudit,
  egressAuditDocument,
  Observations,
  observedNothing,
  toObserved,
} from "./egress-audit";
import { PrometheusClient, PrometheusError } from "./prometheus-client";
import { formatDocument, REPORT_FORMATS, ReportFormat } from "./report-document";
import { loadStackOption, StackOptions } from "./stack-option";

interface AuditOptions extends StackOptions {
  readonly prometheus?: string;
  readonly since: string;
  readonly timeout: string;
  readonly format: ReportFormat;
}

/** A Prometheus duration of one unit (30d, 12h, 90m): what the audit window and timeout accept. */
const DURATION = /^([1-9][0-9]*)(ms|s|m|h|d|w|y)$/;
const MILLISECONDS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

export function durationMs(value: string): number | undefined {
  const match = DURATION.exec(value);
  return match ? Number(match[1]) * MILLISECONDS[match[2]] : undefined;
}

/** `mesh-egress audit`: observed egress (Prometheus) against the stack's declared egress. */
export function registerAuditCommand(program: Command, invocation: CliInvocation): void {
  program
    .command("audit")
    .description(
      "Compare the egress Prometheus observed with the stack's grants: exit 1 when undeclared egress was observed.",
    )
    .addOption(new Option("--stack <name>", "audit against Pulumi.<name>.yaml").conflicts("stackFile"))
    .addOption(new Option("--stack-file <path>", "audit against any file in the Pulumi.<stack>.yaml format"))
    .option("--prometheus <url>", "Prometheus base URL, e.g. http://localhost:9090")
    .option("--since <duration>", "window to audit, a Prometheus duration", "30d")
    .option("--timeout <duration>", "how long one Prometheus query may take", "30s")
    .addOption(new Option("--format <format>", "output format").choices(REPORT_FORMATS).default("text"))
    .action(async (options: AuditOptions) => {
      invocation.exitCode = await runAudit(options, invocation.io);
    });
}

/** Returns the exit code: 0 nothing undeclared, 1 undeclared egress observed, 2 bad input or Prometheus failure. */
export async function runAudit(options: AuditOptions, io: Pick<CliIo, "stdout" | "stderr">): Promise<number> {
  if (!options.prometheus) {
    io.stderr.write("audit: give --prometheus URL\n");
    return 2;
  }
  if (!/^https?:\/\/[^/]/.test(options.prometheus)) {
    io.stderr.write(`audit: --prometheus must be an http(s) URL, got "${options.prometheus}"\n`);
    return 2;
  }
  if (durationMs(options.since) === undefined) {
    io.stderr.write(`audit: --since must be a duration such as 30d, 12h or 90m, got "${options.since}"\n`);
    return 2;
  }
  const timeoutMs = durationMs(options.timeout);
  if (timeoutMs === undefined) {
    io.stderr.write(`audit: --timeout must be a duration such as 30s, got "${options.timeout}"\n`);
    return 2;
  }
  const loaded = loadStackOption("audit", options, io.stderr);
  if (!loaded.ok) return loaded.exitCode;
  const { config } = loaded;

  const client = new PrometheusClient({ url: options.prometheus, timeoutMs });
  const queries = auditQueries(config.gateway, options.since);
  let observations: Observations;
  try {
    const entries = await Promise.all(
      Object.entries(queries).map(
        async ([name, promql]) => [name, toObserved(await client.query(promql))] as const,
      ),
    );
    observations = Object.fromEntries(entries) as unknown as Observations;
  } catch (err) {
    if (err instanceof PrometheusError) {
      io.stderr.write(`audit: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (observedNothing(observations)) {
    io.stderr.write(
      `audit: Prometheus at ${options.prometheus} has no egress series for gateway ` +
        `${config.gateway.namespace}/${config.gateway.releaseName} or tenant sidecars in the last ${options.since}: ` +
        "nothing to audit (is it scraping the gateway's PodMonitor?)\n",
    );
    return 2;
  }
  const audit = buildEgressAudit(config, observations, {
    source: loaded.name,
    prometheus: options.prometheus,
    window: options.since,
  });
  io.stdout.write(formatDocument(egressAuditDocument(audit), options.format));
  return audit.undeclared.length > 0 ? 1 : 0;
}
