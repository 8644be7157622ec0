import * as fs from "fs";
import * as path from "path";
import * as readline from "readline";
import { Command } from "commander";
import { createTwoFilesPatch } from "diff";
import type { Document } from "yaml";
import { parseRfc3339 } from "../policy/contract";
import { ConfigError, formatIssue } from "../stacks/model/config-error";
import { loadStackFile, loadStackText, PROJECT_DIR } from "../stacks/load-config";
import { routedServices } from "../stacks/relations/temporary-services";
import { applyPromotion, documentText, planPromotion, RegistryDocument, sourceEntries } from "./promotion";
import { isDnsLabel } from "../stacks/schema/values/kubernetes-values";
import { durationMs } from "./audit-segments";
import type { CliInvocation, CliIo } from "./cli-io";
import { buildProposal, proposalDocument } from "./discover-fragment";
import { hostLeftOut, Observations, observeRecord } from "./discover-observations";
import { queryPassthrough } from "./discover-prometheus";
import { parseAccessLogLine } from "./envoy-access-log";
import { LoadedFile, loadStack, PromotionInputError, registryDocuments } from "./promote-command";
import { PrometheusClient, PrometheusError } from "./prometheus-client";

export interface DiscoverOptions {
  /** Access logs: `path`, `-` (stdin) or `<namespace>=<path>` (the namespace whose sidecars wrote it). */
  readonly inputs: readonly string[];
  readonly prometheus?: string;
  readonly since: string;
  readonly now?: string;
  readonly stack?: string;
  readonly stackFile?: string;
  readonly clusterDomain: string;
}

class DiscoverInputError extends Error {}

/** `[namespace=]path`: a namespace is a DNS label before the first `=`; anything else is a path. */
export function parseLogInput(input: string): { namespace?: string; path: string } {
  const at = input.indexOf("=");
  const namespace = at > 0 ? input.slice(0, at) : undefined;
  if (namespace !== undefined && isDnsLabel(namespace)) return { namespace, path: input.slice(at + 1) };
  return { path: input };
}

/** Reads one log stream line by line into `observations`: memory is the distinct destinations, not the lines. */
export async function readAccessLog(
  stream: NodeJS.ReadableStream,
  observations: Observations,
  context: { namespace?: string; clusterDomain: string; registered: ReadonlySet<string>; notBefore?: string },
): Promise<void> {
  const lines = readline.createInterface({ input: stream, crlfDelay: Infinity });
  for await (const line of lines) {
    observations.lines++;
    if (line.trim() === "") continue;
    const record = parseAccessLogLine(line);
    if (!record) {
      // Envoy's lines start with `[` (TEXT) or `{` (JSON) once kubectl's prefixes are gone; others are the agent's.
      if (/^(\[pod\/[^\]]+\] )?(\S+Z )?[[{]/.test(line)) observations.malformed++;
      else observations.other++;
      continue;
    }
    if (context.notBefore && record.startTime && record.startTime < context.notBefore) {
      observations.outsideWindow++;
      continue;
    }
    const seen = observeRecord(record, context.namespace, context.clusterDomain);
    if ("leftOut" in seen) observations.leave(seen.leftOut, seen.name);
    else observations.add(seen.observation, context.registered);
  }
}

/** The stack a fragment is compared with: its registered hosts and service names, and its files to diff. */
function targetStack(options: DiscoverOptions): { file: string; name: string; dir: string } | undefined {
  if (options.stack)
    return {
      file: path.join(PROJECT_DIR, `Pulumi.${options.stack}.yaml`),
      name: options.stack,
      dir: PROJECT_DIR,
    };
  if (options.stackFile) {
    const file = path.resolve(options.stackFile);
    const match = /^Pulumi\.(.+)\.yaml$/.exec(path.basename(file));
    if (!match)
      throw new DiscoverInputError(
        `--stack-file ${options.stackFile}: name it Pulumi.<stack>.yaml, as Pulumi does`,
      );
    return { file, name: match[1] as string, dir: path.dirname(file) };
  }
  return undefined;
}

/** Exit 0 written, 2 bad input (nothing to read, unreadable file or stack, bad --since, Prometheus failing). */
export async function runDiscover(options: DiscoverOptions, io: CliIo): Promise<number> {
  try {
    return await discover(options, io);
  } catch (e) {
    if (e instanceof DiscoverInputError || e instanceof PromotionInputError || e instanceof PrometheusError) {
      io.stderr.write(`mesh-egress discover: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

async function discover(options: DiscoverOptions, io: CliIo): Promise<number> {
  if (options.inputs.length === 0 && !options.prometheus) {
    throw new DiscoverInputError("give access logs (paths, - or <namespace>=<path>) or --prometheus URL");
  }
  const window = durationMs(options.since);
  if (window === undefined)
    throw new DiscoverInputError(
      `--since must be a duration such as 30d, 12h or 90m, got "${options.since}"`,
    );
  const now = options.now === undefined ? Date.now() : parseRfc3339(options.now);
  if (now === undefined)
    throw new DiscoverInputError(
      `--now "${options.now}" is not an RFC 3339 time such as 2026-11-30T06:00:00Z`,
    );
  if (options.prometheus !== undefined && !/^https?:\/\/[^/]/.test(options.prometheus)) {
    throw new DiscoverInputError(`--prometheus must be an http(s) URL, got "${options.prometheus}"`);
  }
  const target = targetStack(options);
  let registered = new Set<string>();
  let names: string[] = [];
  if (target) {
    try {
      const config = loadStackFile(target.file, new Date(now));
      // Hosts an active break-glass grant registers are reachable too: not proposed again.
      registered = new Set(routedServices(config).flatMap((s) => s.hosts));
      names = routedServices(config).map((s) => s.name);
    } catch (e) {
      const issues = (e as { issues?: Parameters<typeof formatIssue>[0][] }).issues;
      throw new DiscoverInputError(
        `${target.file}: ${issues ? issues.map(formatIssue).join("; ") : (e as Error).message}`,
      );
    }
  }

  const observations = new Observations();
  const notBefore = new Date(now - window).toISOString();
  for (const input of options.inputs) {
    const { namespace, path: file } = parseLogInput(input);
    let stream: NodeJS.ReadableStream;
    if (file === "-") stream = io.stdin;
    else {
      try {
        fs.accessSync(file, fs.constants.R_OK);
        if (fs.statSync(file).isDirectory()) throw new Error("is a directory: name the log files");
      } catch (e) {
        throw new DiscoverInputError(`cannot read ${file}: ${(e as Error).message}`);
      }
      stream = fs.createReadStream(file);
    }
    await readAccessLog(stream, observations, {
      ...(namespace ? { namespace } : {}),
      clusterDomain: options.clusterDomain,
      registered,
      notBefore,
    });
  }
  if (options.prometheus) {
    const client = new PrometheusClient({ url: options.prometheus, timeoutMs: 30_000 });
    for (const { observation, name } of await queryPassthrough(client, options.since)) {
      const leftOut = hostLeftOut(observation.host, options.clusterDomain);
      if (leftOut) observations.leave(leftOut, name, observation.count);
      else observations.add(observation, registered);
    }
  }
  const proposal = buildProposal(observations, names);
  const source = [
    ...options.inputs.map((i) => (i === "-" ? "stdin" : i)),
    ...(options.prometheus
      ? [`${options.prometheus} (PassthroughCluster series over ${options.since})`]
      : []),
  ].join(", ");
  io.stderr.write(
    `mesh-egress discover: ${observations.lines} line(s), ${observations.malformed} malformed, ${proposal.services.length} service(s) proposed for ${proposal.tenants.size} tenant(s)\n`,
  );
  const fragment = proposalDocument(proposal, observations, { standalone: !target, source });
  if (!target) {
    io.stdout.write(documentText(fragment).replace(/\n?$/, "\n"));
    return 0;
  }
  // The evidence first, as comments (patch tools skip text before the diff), then the diff itself.
  const comment = (text: string | null | undefined) =>
    (text ?? "")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => `#${l}\n`)
      .join("");
  io.stdout.write(
    comment(fragment.commentBefore) + comment(fragment.comment) + stackDiff(target, fragment, now),
  );
  return 0;
}

/**
 * The fragment merged into the stack (and its shared registry) as promote merges, printed as a diff; what
 * the stack's own validation would still refuse (prod's per-tenant rate limits) follows as comments.
 */
function stackDiff(target: { name: string; dir: string }, fragment: Document, now: number): string {
  const files = new Map<string, LoadedFile>();
  const stack = loadStack(target.name, target.dir, files);
  const source: RegistryDocument = { file: "discovered", kind: "stack", document: fragment };
  const planned = planPromotion(
    sourceEntries([source], "services"),
    sourceEntries([source], "tenants"),
    { all: true, services: [], tenants: [] },
    "discovered",
  );
  if ("issues" in planned) throw new DiscoverInputError(planned.issues.map(formatIssue).join("; "));
  applyPromotion(registryDocuments(stack), planned.plan);
  const edited = [...files.values()]
    .map((file) => ({ file, text: documentText(file.document) }))
    .filter(({ file, text }) => text !== file.original);
  if (edited.length === 0) return `# nothing to add: ${target.name} already registers everything observed\n`;
  const patches = edited.map(({ file, text }) =>
    createTwoFilesPatch(`a/${file.file}`, `b/${file.file}`, file.original, text, "", "", { context: 3 }),
  );
  return patches.join("") + refusals(stack.stackFile, edited, now);
}

/** The stack's validation of the merged file, as comments; a shared registry is left to `render` to judge. */
function refusals(
  stackFile: LoadedFile,
  edited: readonly { file: LoadedFile; text: string }[],
  now: number,
): string {
  const own = edited.find((e) => e.file === stackFile);
  if (!own || edited.length > 1)
    return "# then check it: mesh-egress render --stack-file <the edited stack file>\n";
  try {
    loadStackText(own.text, stackFile.absolute, path.dirname(stackFile.absolute), new Date(now));
    return "";
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return [
      `# ${stackFile.file} refuses this as is; complete it before applying:`,
      ...e.issues.map((issue) => `#   ${formatIssue(issue)}`),
      "",
    ].join("\n");
  }
}

export function registerDiscoverCommand(program: Command, invocation: CliInvocation): void {
  program
    .command("discover")
    .description(
      "Read what the cluster reaches today (Envoy access logs from sidecars and gateways, and/or a Prometheus) and write the registry that would allow exactly that: services with a proposed mode, tenants' allow lists.",
    )
    .argument(
      "[logs...]",
      "access logs as `kubectl logs` prints them: a file, - for stdin, or <namespace>=<file>",
    )
    .option("--prometheus <url>", "also read sidecars' PassthroughCluster series from this Prometheus")
    .option("--since <duration>", "the window: log lines and series older than this are left out", "30d")
    .option("--now <time>", "the end of the window (RFC 3339); the clock by default")
    .option(
      "--stack <name>",
      "leave out Pulumi.<name>.yaml's hosts and print the rest as a diff of that file",
    )
    .option("--stack-file <path>", "the same for a Pulumi.<stack>.yaml anywhere")
    .option("--cluster-domain <domain>", "the cluster's DNS domain", "cluster.local")
    .action(async (logs: string[], opts: Omit<DiscoverOptions, "inputs">) => {
      invocation.exitCode = await runDiscover({ ...opts, inputs: logs }, invocation.io);
    });
}
