import { Command, Option } from "commander";
import { parseRfc3339, type KubernetesObject } from "../policy/contract";
import { isDnsLabel } from "../stacks/schema/values/kubernetes-values";
import type { CliInvocation, CliIo } from "./cli-io";
import { readStdin } from "./lint-command";
import { LiveClusterError, LiveClusterTarget, readLiveObjects } from "./live-cluster";
import { ManifestInputError, readManifests } from "./read-manifests";
import { renderDocuments } from "./render";
import { loadStackOption } from "./stack-option";
import { TraceResult, tracePath } from "./trace-path";
import { parseFrom, parseTo, TraceInputError } from "./trace-target";

export interface TraceOptions {
  readonly from: string;
  readonly to: string;
  readonly inputs: readonly string[];
  readonly stack?: string;
  readonly stackFile?: string;
  readonly live?: LiveClusterTarget;
  readonly now?: string;
  readonly format: "text" | "json";
  readonly gatewayNamespace?: string;
  readonly clusterDomain?: string;
}

const MARK = { pass: "ok  ", deny: "DENY", bypass: "BYPASS", note: "    " } as const;

/** The hops, one a line, then the one-line outcome. */
export function formatTrace(result: TraceResult): string {
  const width = Math.max(...result.hops.map((h) => h.hop.length));
  const lines = [`trace ${result.from} → ${result.to}`];
  for (const h of result.hops) {
    lines.push(`  ${MARK[h.verdict].padEnd(6)} ${h.hop.padEnd(width)}  ${h.object ?? "-"}: ${h.detail}`);
  }
  const o = result.outcome;
  if (o.kind === "allowed") lines.push(o.summary);
  else if (o.kind === "denied")
    lines.push(`denied at ${o.hop}${o.object ? ` by ${o.object}` : ""}: ${o.reason}. Fix: ${o.fix}`);
  else
    lines.push(
      `reaches the host without the gateway (${o.finding}${o.object ? `, ${o.object}` : ""}): ${o.reason}. Fix: ${o.fix}`,
    );
  return `${lines.join("\n")}\n`;
}

/** Exit 0 allowed through the gateway, 1 denied or a bypass, 2 bad input. */
export async function runTrace(options: TraceOptions, io: CliIo): Promise<number> {
  const fail = (message: string): number => {
    io.stderr.write(`mesh-egress trace: ${message}\n`);
    return 2;
  };
  let from: ReturnType<typeof parseFrom>;
  let to: ReturnType<typeof parseTo>;
  try {
    from = parseFrom(options.from);
    to = parseTo(options.to);
  } catch (e) {
    if (e instanceof TraceInputError) return fail(e.message);
    throw e;
  }
  if (options.gatewayNamespace !== undefined && !isDnsLabel(options.gatewayNamespace)) {
    return fail(`--gateway-namespace ${JSON.stringify(options.gatewayNamespace)} is not a namespace name`);
  }
  const now = options.now === undefined ? Date.now() : parseRfc3339(options.now);
  if (now === undefined)
    return fail(`--now "${options.now}" is not an RFC 3339 time such as 2026-11-30T06:00:00Z`);
  const sources = [
    options.stack ?? options.stackFile,
    options.inputs.length > 0 ? "paths" : undefined,
    options.live,
  ];
  if (sources.filter((s) => s !== undefined).length > 1) {
    return fail("give one of --stack/--stack-file, manifest paths, or --kubeconfig/--context");
  }
  let objects: KubernetesObject[];
  try {
    if (options.stack !== undefined || options.stackFile !== undefined) {
      const loaded = loadStackOption(
        "mesh-egress trace",
        { ...options, ...(options.now ? { now: options.now } : {}) },
        io.stderr,
      );
      if (!loaded.ok) return loaded.exitCode;
      objects = JSON.parse(JSON.stringify(renderDocuments(loaded.config))) as KubernetesObject[];
    } else if (options.inputs.length > 0) {
      const reading = await readManifests(options.inputs, () => readStdin(io.stdin));
      for (const problem of reading.problems) io.stderr.write(`mesh-egress trace: ${problem}\n`);
      if (reading.problems.length > 0) return 2;
      objects = reading.objects.map((o) => o.object);
    } else {
      objects = await readLiveObjects(options.live ?? {});
    }
  } catch (e) {
    if (e instanceof ManifestInputError || e instanceof LiveClusterError) return fail(e.message);
    throw e;
  }
  if (objects.length === 0) return fail("the input holds no Kubernetes objects to trace over");
  const result = tracePath(
    objects,
    { ...from, ...to, now },
    {
      ...(options.gatewayNamespace ? { gatewayNamespace: options.gatewayNamespace } : {}),
      ...(options.clusterDomain ? { clusterDomain: options.clusterDomain } : {}),
    },
  );
  io.stdout.write(options.format === "json" ? `${JSON.stringify(result, null, 2)}\n` : formatTrace(result));
  return result.outcome.kind === "allowed" ? 0 : 1;
}

export function registerTraceCommand(program: Command, invocation: CliInvocation): void {
  program
    .command("trace")
    .description(
      "Walk one connection from a namespace (and service account) to a host and port, hop by hop as Istio and " +
        "Kubernetes decide it, over a stack's render, manifests or a live cluster. Exit 0 allowed through the " +
        "gateway, 1 denied or a bypass, 2 bad input.",
    )
    .requiredOption(
      "--from <namespace[/serviceaccount]>",
      "the caller: a namespace, and its service account (default)",
    )
    .requiredOption("--to <host[:port]>", "the destination; the port of the host's mesh route when absent")
    .argument(
      "[paths...]",
      "YAML/JSON manifests, directories, or - for stdin (instead of --stack or a cluster)",
    )
    .addOption(
      new Option("--stack <name>", "trace over the render of Pulumi.<name>.yaml").conflicts("stackFile"),
    )
    .option("--stack-file <path>", "trace over the render of any file in the Pulumi.<stack>.yaml format")
    .option("--kubeconfig <path>", "trace over the live cluster of this kubeconfig")
    .option("--context <name>", "the kubeconfig context; its current context by default")
    .option("--now <time>", "judge break-glass entries at this RFC 3339 time instead of the clock")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .option("--gateway-namespace <namespace>", "the platform namespace, when the manifests do not reveal it")
    .option("--cluster-domain <domain>", "the cluster's DNS domain", "cluster.local")
    .action(
      async (
        paths: string[],
        opts: {
          from: string;
          to: string;
          stack?: string;
          stackFile?: string;
          kubeconfig?: string;
          context?: string;
          now?: string;
          format: "text" | "json";
          gatewayNamespace?: string;
          clusterDomain?: string;
        },
      ) => {
        const live =
          opts.kubeconfig !== undefined || opts.context !== undefined
            ? {
                ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}),
                ...(opts.context ? { context: opts.context } : {}),
              }
            : undefined;
        const noSource = paths.length === 0 && !opts.stack && !opts.stackFile && !live;
        invocation.exitCode = await runTrace(
          {
            from: opts.from,
            to: opts.to,
            inputs: paths,
            format: opts.format,
            ...(opts.stack ? { stack: opts.stack } : {}),
            ...(opts.stackFile ? { stackFile: opts.stackFile } : {}),
            // Nothing named: the current kubeconfig context, as kubectl would.
            ...(live || noSource ? { live: live ?? {} } : {}),
            ...(opts.now !== undefined ? { now: opts.now } : {}),
            ...(opts.gatewayNamespace ? { gatewayNamespace: opts.gatewayNamespace } : {}),
            ...(opts.clusterDomain ? { clusterDomain: opts.clusterDomain } : {}),
          },
          invocation.io,
        );
      },
    );
}
