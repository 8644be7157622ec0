import * as fs from "node:fs";
import * as path from "node:path";
import { Command, Option } from "commander";
import {
  enforcementLevels,
  EnforcementLevels,
  PolicyConfigError,
  RuleSettingValues,
  ruleSettings,
} from "../policy/engine/enforcement";
import { parseRfc3339 } from "../policy/contract";
import { allRules } from "../policy/engine/catalog";
import { evaluate, Finding } from "../policy/engine/evaluate";
import type { CliInvocation, CliIo } from "./cli-io";
import { TextInputError } from "../stacks/bounded-text";
import { isDnsLabel } from "../stacks/schema/values/kubernetes-values";
import { PROJECT_DIR } from "../stacks/project-dir";
import { LiveClusterError, LiveClusterTarget, readLiveObjects } from "./live-cluster";
import {
  MAX_INPUT_BYTES,
  ManifestInputError,
  ManifestReading,
  readManifests,
  SourcedObject,
} from "./read-manifests";
import { readStream } from "./read-stream";

export type Environment = "dev" | "prod";
export type OutputFormat = "text" | "json";

export interface LintOptions {
  readonly inputs: readonly string[];
  /** Which policy/config/<environment>.json sets the enforcement levels; prod (strictest) by default. */
  readonly environment: Environment;
  readonly format: OutputFormat;
  /** The platform namespace, when the objects do not reveal it. */
  readonly gatewayNamespace?: string;
  /** Read the objects from a live cluster instead of `inputs`. */
  readonly live?: LiveClusterTarget;
  /** Where objects without metadata.namespace land, as with `kubectl apply -n`; `default` unless set. */
  readonly namespace?: string;
  /** The cluster's DNS domain, when it is not cluster.local. */
  readonly clusterDomain?: string;
  /** RFC 3339: judge break-glass expiries at this instant instead of the clock. */
  readonly now?: string;
}

export type LintIo = CliIo;

/** One violation as `--format json` prints it (the CLI contract). */
export interface LintRecord {
  readonly rule: string;
  readonly enforcement: "mandatory" | "advisory";
  readonly kind: string;
  readonly namespace: string | null;
  readonly name: string;
  readonly message: string;
  /** The file the object was read from (`<stdin>`, `the live cluster`), null when the finding names no object read. */
  readonly file: string | null;
  /** The line its YAML mapping starts on, null in JSON files and live objects. */
  readonly line: number | null;
}

/** Where a finding's object came from: a file and, for YAML, a line. */
export interface FindingLocation {
  readonly file: string;
  readonly line?: number;
}

const objectKey = (kind: string, namespace: string | undefined, name: string) =>
  `${kind}\u0000${namespace ?? ""}\u0000${name}`;

/**
 * Finds a finding's object among those read. A namespaced object written without a namespace is
 * judged in the default namespace, so it is looked up without one too.
 */
export function locator(objects: readonly SourcedObject[]): (f: Finding) => FindingLocation | undefined {
  const byKey = new Map<string, FindingLocation>();
  for (const o of objects) {
    const key = objectKey(o.object.kind, o.object.metadata?.namespace, o.object.metadata?.name ?? "");
    if (!byKey.has(key))
      byKey.set(key, { file: o.file ?? o.source, ...(o.line !== undefined ? { line: o.line } : {}) });
  }
  return (f) =>
    byKey.get(objectKey(f.kind, f.namespace, f.name)) ?? byKey.get(objectKey(f.kind, undefined, f.name));
}

const formatLocation = (at: FindingLocation) => (at.line !== undefined ? `${at.file}:${at.line}` : at.file);

/** The policy pack's own config files: the same ones `pulumi preview --policy-pack-config` reads. */
export const POLICY_CONFIG_DIR = path.join(PROJECT_DIR, "policy", "config");

/** Levels and settings of every rule for an environment, from policy/config/<environment>.json. */
export function loadPolicyConfig(environment: Environment): {
  levels: EnforcementLevels;
  settings: RuleSettingValues;
} {
  const file = path.join(POLICY_CONFIG_DIR, `${environment}.json`);
  let config: unknown;
  try {
    config = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new PolicyConfigError(`${file}: ${(e as Error).message}`);
  }
  try {
    return { levels: enforcementLevels(config), settings: ruleSettings(config) };
  } catch (e) {
    throw new PolicyConfigError(`${file}: ${(e as Error).message}`);
  }
}

export function loadEnforcementLevels(environment: Environment): EnforcementLevels {
  return loadPolicyConfig(environment).levels;
}

/** Stdin, bounded and decoded; a refusal names `<stdin>`. */
export async function readStdin(stream: NodeJS.ReadableStream): Promise<string> {
  try {
    return await readStream(stream, MAX_INPUT_BYTES);
  } catch (e) {
    if (e instanceof TextInputError) throw new ManifestInputError(`<stdin>: ${e.message}`);
    throw e;
  }
}

export function toRecord(finding: Finding, at?: FindingLocation): LintRecord {
  return {
    rule: finding.rule,
    enforcement: finding.enforcement,
    kind: finding.kind,
    namespace: finding.namespace ?? null,
    name: finding.name,
    message: finding.message,
    file: at?.file ?? null,
    line: at?.line ?? null,
  };
}

/** The advisory record `--format json` carries when no input reveals the gateway namespace: the verdict is partial. */
export const GATEWAY_NAMESPACE_UNKNOWN_RULE = "lint-gateway-namespace-unknown";
const GATEWAY_NAMESPACE_UNKNOWN =
  "gateway namespace unknown: nothing in the input reveals it, so gateway rules are limited (pass --gateway-namespace)";

/** Every rule that takes a `now` setting gets this one: `--now` makes a review reproducible. */
function withNow(settings: RuleSettingValues, now: string): RuleSettingValues {
  if (parseRfc3339(now) === undefined) {
    throw new PolicyConfigError(`--now: "${now}" is not an RFC 3339 time such as 2026-11-30T06:00:00Z`);
  }
  const out = new Map(settings);
  for (const rule of allRules) {
    if (rule.settings?.schema.now) out.set(rule.name, { ...(settings.get(rule.name) ?? {}), now });
  }
  return out;
}

/**
 * How a run's outcome maps to its exit code: 1 when a mandatory rule is violated (whatever else happened),
 * else 2 when some input could not be used (the verdict covers only what was read), else 0. A run that could
 * read nothing at all exits 2 before any rule runs.
 */
export function lintExitCode(mandatoryViolations: number, unusableInputs: number): number {
  if (mandatoryViolations > 0) return 1;
  return unusableInputs > 0 ? 2 : 0;
}

/**
 * Runs every rule over the manifests and prints the violations. Returns the exit code: 0 when nothing
 * mandatory is violated, 1 when something is, 2 when the input or the policy config cannot be used.
 */
export async function runLint(options: LintOptions, io: LintIo): Promise<number> {
  let policyConfig: { levels: EnforcementLevels; settings: RuleSettingValues };
  let reading: ManifestReading;
  if (options.gatewayNamespace !== undefined && !isDnsLabel(options.gatewayNamespace)) {
    io.stderr.write(
      `mesh-egress lint: --gateway-namespace ${JSON.stringify(options.gatewayNamespace)} is not a namespace name (a DNS-1123 label: lowercase letters, digits and '-', at most 63)\n`,
    );
    return 2;
  }
  try {
    policyConfig = loadPolicyConfig(options.environment);
    if (options.now !== undefined)
      policyConfig = { ...policyConfig, settings: withNow(policyConfig.settings, options.now) };
    reading = options.live
      ? {
          objects: (await readLiveObjects(options.live)).map((object) => ({
            object,
            source: "the live cluster",
            file: "the live cluster",
          })),
          problems: [],
        }
      : await readManifests(
          options.inputs,
          () => readStdin(io.stdin),
          (entry) => void io.stderr.write(`mesh-egress lint: skipped hidden ${entry} (name it to lint it)\n`),
        );
  } catch (e) {
    if (e instanceof ManifestInputError || e instanceof PolicyConfigError || e instanceof LiveClusterError) {
      io.stderr.write(`mesh-egress lint: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const { objects, problems } = reading;
  for (const problem of problems) io.stderr.write(`mesh-egress lint: ${problem}\n`);
  // Nothing readable at all: there is nothing to judge.
  if (objects.length === 0) return 2;
  const { findings, mesh } = evaluate(
    objects.map((o) => o.object),
    {
      ...policyConfig,
      ...(options.gatewayNamespace ? { gatewayNamespace: options.gatewayNamespace } : {}),
      ...(options.namespace ? { defaultNamespace: options.namespace } : {}),
      ...(options.clusterDomain ? { clusterDomain: options.clusterDomain } : {}),
    },
  );
  const mandatory = findings.filter((f) => f.enforcement === "mandatory").length;
  const locate = locator(objects);
  if (options.format === "json") {
    const records = findings.map((f) => toRecord(f, locate(f)));
    if (!mesh.gatewayNamespace) {
      records.push({
        rule: GATEWAY_NAMESPACE_UNKNOWN_RULE,
        enforcement: "advisory",
        kind: "",
        namespace: null,
        name: "",
        message: GATEWAY_NAMESPACE_UNKNOWN,
        file: null,
        line: null,
      });
    }
    io.stdout.write(`${JSON.stringify(records, null, 2)}\n`);
  } else {
    const gateway = mesh.gatewayNamespace
      ? `gateway namespace ${mesh.gatewayNamespace} (from ${mesh.gatewayNamespaceEvidence})`
      : GATEWAY_NAMESPACE_UNKNOWN;
    io.stdout.write(`Linted ${objects.length} object(s) for ${options.environment}; ${gateway}.\n`);
    for (const f of findings) {
      const at = locate(f);
      io.stdout.write(
        `${f.enforcement.padEnd(9)} ${f.rule}: ${f.message} [${at ? formatLocation(at) : "no object in the input"}]\n`,
      );
    }
    io.stdout.write(
      findings.length === 0
        ? "No violations.\n"
        : `${mandatory} mandatory and ${findings.length - mandatory} advisory violation(s).\n`,
    );
    if (problems.length > 0)
      io.stdout.write(`${problems.length} input(s) could not be used (listed on stderr).\n`);
  }
  return lintExitCode(mandatory, problems.length);
}

export function registerLintCommand(program: Command, invocation: CliInvocation): void {
  program
    .command("lint")
    .description(
      "Run the egress-guardrails rules over Kubernetes manifests (files, directories, or - for stdin). " +
        "Exit 1 on any mandatory violation, else 2 when some input could not be used, else 0.",
    )
    .argument(
      "[paths...]",
      "YAML/JSON files, directories (searched recursively), or - for stdin; none: the live cluster",
    )
    .option("--kubeconfig <path>", "lint the live cluster of this kubeconfig (every kind the rules judge)")
    .option("--context <name>", "the kubeconfig context to lint; its current context by default")
    .addOption(
      new Option("--environment <environment>", "enforcement levels from policy/config/<environment>.json")
        .choices(["dev", "prod"])
        .default("prod"),
    )
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .option("--gateway-namespace <namespace>", "the platform namespace, when the manifests do not reveal it")
    .option(
      "--namespace <namespace>",
      "where objects without metadata.namespace land (kubectl apply -n)",
      "default",
    )
    .option("--cluster-domain <domain>", "the cluster's DNS domain", "cluster.local")
    .option("--now <time>", "judge break-glass expiries at this RFC 3339 time instead of the clock")
    .action(
      async (
        paths: string[],
        opts: {
          environment: Environment;
          format: OutputFormat;
          gatewayNamespace?: string;
          kubeconfig?: string;
          context?: string;
          namespace?: string;
          clusterDomain?: string;
          now?: string;
        },
      ) => {
        const wantsCluster = opts.kubeconfig !== undefined || opts.context !== undefined;
        if (wantsCluster && paths.length > 0) {
          invocation.io.stderr.write(
            "mesh-egress lint: give either paths or --kubeconfig/--context, not both\n",
          );
          invocation.exitCode = 2;
          return;
        }
        if (paths.length === 0 && !wantsCluster && invocation.io.stdinPiped) {
          invocation.io.stderr.write(
            "mesh-egress lint: stdin is piped, but lint reads stdin only when a path is -: add - " +
              "(… | mesh-egress lint -). Without paths it lints the live cluster (--context/--kubeconfig name one).\n",
          );
          invocation.exitCode = 2;
          return;
        }
        const live: LiveClusterTarget | undefined =
          paths.length === 0
            ? {
                ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}),
                ...(opts.context ? { context: opts.context } : {}),
              }
            : undefined;
        invocation.exitCode = await runLint(
          {
            inputs: paths,
            ...(live ? { live } : {}),
            environment: opts.environment,
            format: opts.format,
            ...(opts.gatewayNamespace !== undefined ? { gatewayNamespace: opts.gatewayNamespace } : {}),
            ...(opts.namespace ? { namespace: opts.namespace } : {}),
            ...(opts.clusterDomain ? { clusterDomain: opts.clusterDomain } : {}),
            ...(opts.now !== undefined ? { now: opts.now } : {}),
          },
          invocation.io,
        );
      },
    );
}
