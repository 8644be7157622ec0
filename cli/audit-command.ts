import * as fs from "fs";
import type { CliInvocation, CliIo } from "./cli-io";
import { Command, Option } from "commander";
import { auditQueries, AuditScope } from "./audit-queries";
import { auditSegments, durationMs } from "./audit-segments";
import {
  AuditSeriesSource,
  chooseAuditSource,
  recordedAuditQueries,
  SOURCE_CHOICES,
  SourceChoice,
} from "./audit-source";
import {
  buildEgressAudit,
  egressAuditDocument,
  Observations,
  ObservedSegment,
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
  readonly bearerTokenFile?: string;
  readonly header: readonly string[];
  readonly cluster: readonly string[];
  readonly source: SourceChoice;
}

const collect = (value: string, previous: readonly string[]) => [...previous, value];

/** An HTTP header as curl takes it: `Name: value`. */
const HEADER = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):\s*(.*)$/;
/** A label matcher as `label=value`: the label a shared Prometheus tells clusters apart by. */
const CLUSTER = /^([a-zA-Z_][a-zA-Z0-9_]*)=(.+)$/;

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** The headers every Prometheus request carries, from --header and --bearer-token-file. */
function requestHeaders(options: AuditOptions): Parsed<Record<string, string>> {
  const headers: Record<string, string> = {};
  for (const header of options.header) {
    const match = HEADER.exec(header);
    if (!match)
      return {
        ok: false,
        message: `--header must read "Name: value" (e.g. "X-Scope-OrgID: team-a"), got "${header}"`,
      };
    headers[match[1]] = match[2];
  }
  if (options.bearerTokenFile !== undefined) {
    if (Object.keys(headers).some((name) => name.toLowerCase() === "authorization")) {
      return { ok: false, message: "give --bearer-token-file or an Authorization --header, not both" };
    }
    let token: string;
    try {
      token = fs.readFileSync(options.bearerTokenFile, "utf8").trim();
    } catch (err) {
      return {
        ok: false,
        message: `--bearer-token-file: cannot read ${options.bearerTokenFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      };
    }
    if (token === "")
      return {
        ok: false,
        message: `--bearer-token-file: ${options.bearerTokenFile} is empty: write the token into it`,
      };
    headers.Authorization = `Bearer ${token}`;
  }
  return { ok: true, value: headers };
}

/** PromQL matchers from --cluster label=value, the value quoted for PromQL. */
function clusterMatchers(values: readonly string[]): Parsed<string[]> {
  const matchers: string[] = [];
  for (const value of values) {
    const match = CLUSTER.exec(value);
    if (!match)
      return { ok: false, message: `--cluster must read label=value (e.g. cluster=prod-eu), got "${value}"` };
    matchers.push(`${match[1]}=${JSON.stringify(match[2])}`);
  }
  return { ok: true, value: matchers };
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
    .option("--bearer-token-file <path>", "send the token in this file as `Authorization: Bearer …`")
    .option(
      "--header <header>",
      'send this HTTP header with every query, "Name: value" (repeatable)',
      collect,
      [],
    )
    .option(
      "--cluster <label=value>",
      "read only series with this label, for a Prometheus holding many clusters (repeatable)",
      collect,
      [],
    )
    .option("--now <time>", "end the window at this RFC 3339 time and judge break-glass entries at it")
    .addOption(
      new Option(
        "--source <series>",
        "read raw Istio series, the audit records (mesh_egress:*:increment1m), or the records when they cover the whole window",
      )
        .choices(SOURCE_CHOICES)
        .default("auto"),
    )
    .addOption(new Option("--format <format>", "output format").choices(REPORT_FORMATS).default("text"))
    .action(async (options: AuditOptions) => {
      invocation.exitCode = await runAudit(options, invocation.io);
    });
}

/** Returns the exit code: 0 nothing undeclared, 1 undeclared egress observed, 2 bad input, Prometheus failure or a partial answer. */
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
  const headers = requestHeaders(options);
  const matchers = clusterMatchers(options.cluster);
  if (!headers.ok || !matchers.ok) {
    io.stderr.write(`audit: ${headers.ok ? (matchers as { message: string }).message : headers.message}\n`);
    return 2;
  }
  const loaded = loadStackOption("audit", options, io.stderr);
  if (!loaded.ok) return loaded.exitCode;
  const { config } = loaded;

  const client = new PrometheusClient({
    url: options.prometheus,
    timeoutMs,
    headers: headers.value,
  });
  const scope: AuditScope = { gateway: config.gateway, matchers: matchers.value };
  // The window ends at --now (the instant break-glass entries are judged at), cut where an entry starts or ends.
  const end = new Date(config.breakGlass.evaluatedAt);
  let segments: ObservedSegment[];
  let source: AuditSeriesSource;
  try {
    const chosen = await chooseAuditSource(
      options.source,
      client,
      scope,
      end.getTime() - (durationMs(options.since) as number),
      end.getTime(),
    );
    if (!chosen.ok) {
      io.stderr.write(`audit: ${chosen.message}\n`);
      return 2;
    }
    source = chosen.source;
    const queries = (range: string) =>
      source.series === "recorded"
        ? recordedAuditQueries(scope, durationMs(range) as number)
        : auditQueries(scope, range);
    segments = await Promise.all(
      auditSegments(config, end, options.since).map(async (segment) => {
        const entries = await Promise.all(
          Object.entries(queries(segment.range)).map(
            async ([name, promql]) =>
              [name, toObserved(await client.query(promql, new Date(segment.to)))] as const,
          ),
        );
        return {
          from: segment.from,
          to: segment.to,
          observations: Object.fromEntries(entries) as unknown as Observations,
        };
      }),
    );
  } catch (err) {
    if (err instanceof PrometheusError) {
      io.stderr.write(`audit: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (observedNothing(segments)) {
    io.stderr.write(
      `audit: Prometheus at ${options.prometheus} has no egress series for gateway ` +
        `${config.gateway.namespace}/${config.gateway.releaseName} or tenant sidecars in the last ${options.since}` +
        `${scope.matchers.length > 0 ? ` with ${scope.matchers.join(", ")}` : ""}: ` +
        "nothing to audit (is it scraping the gateway's PodMonitor?)\n",
    );
    return client.warnings.length > 0 ? partialAnswer(options.prometheus, client.warnings, io) : 2;
  }
  const audit = buildEgressAudit(config, segments, {
    source: loaded.name,
    prometheus: options.prometheus,
    window: options.since,
    warnings: client.warnings,
    readFrom: source,
  });
  io.stdout.write(formatDocument(egressAuditDocument(audit), options.format));
  if (client.warnings.length > 0) return partialAnswer(options.prometheus, client.warnings, io);
  if (source.incomplete) {
    io.stderr.write(
      `audit: the audit records do not cover the window (${source.reason}), so the counts may be short ` +
        "and the audit incomplete (exit 2): leave out --source recorded to read the raw series\n",
    );
    return 2;
  }
  return audit.undeclared.length > 0 ? 1 : 0;
}

/** A partial answer is never a pass: exit 2, the warnings on stderr. */
function partialAnswer(url: string, warnings: readonly string[], io: Pick<CliIo, "stderr">): 2 {
  io.stderr.write(
    `audit: Prometheus at ${url} answered with warnings, so the data is partial and the audit incomplete ` +
      `(exit 2): ${warnings.join("; ")}\n`,
  );
  return 2;
}
