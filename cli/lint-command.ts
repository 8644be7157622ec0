import * as fs from "node:fs";
import * as path from "node:path";
import { Command, Option } from "commander";
import {
  enforcementLevels,
  EnforcementLevels,
  PolicyConfigError,
  RuleSettingValues,
  ruleSettings,
} from "../policy/rules/enforcement";
import { parseRfc3339 } from "../policy/contract";
import { allRules } from "../policy/rules/catalog";
import { evaluate, Finding } from "../policy/rules/evaluate";
import type { CliInvocation, CliIo } from "./cli-io";
import { ManifestInputError, readManifests } from "./read-manifests";

export type Environment = "dev" | "prod";
export type OutputFormat = "text" | "json";

export interface LintOptions {
  readonly inputs: readonly string[];
  /** Which policy/config/<environment>.json sets the enforcement levels; prod (strictest) by default. */
  readonly environment: Environment;
  readonly format: OutputFormat;
  /** The platform namespace, when the objects do not reveal it. */
  readonly gatewayNamespace?: string;
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
}

/** The policy pack's own config files: the same ones `pulumi preview --policy-pack-config` reads. */
export const POLICY_CONFIG_DIR = path.join(__dirname, "..", "policy", "config");

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

function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer | string) =>
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)),
    );
    stream.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    stream.on("error", reject);
  });
}

export function toRecord(finding: Finding): LintRecord {
  return {
    rule: finding.rule,
    enforcement: finding.enforcement,
    kind: finding.kind,
    namespace: finding.namespace ?? null,
    name: finding.name,
    message: finding.message,
  };
}

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
 * Runs every rule over the manifests and prints the violations. Returns the exit code: 0 when nothing
 * mandatory is violated, 1 when something is, 2 when the input or the policy config cannot be used.
 */
export async function runLint(options: LintOptions, io: LintIo): Promise<number> {
  let policyConfig: { levels: EnforcementLevels; settings: RuleSettingValues };
  let objects;
  try {
    policyConfig = loadPolicyConfig(options.environment);
    if (options.now !== undefined)
      policyConfig = { ...policyConfig, settings: withNow(policyConfig.settings, options.now) };
    objects = await readManifests(options.inputs, () => readAll(io.stdin));
  } catch (e) {
    if (e instanceof ManifestInputError || e instanceof PolicyConfigError) {
      io.stderr.write(`mesh-egress lint: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const { findings, mesh } = evaluate(
    objects.map((o) => o.object),
    { ...policyConfig, ...(options.gatewayNamespace ? { gatewayNamespace: options.gatewayNamespace } : {}) },
  );
  const mandatory = findings.filter((f) => f.enforcement === "mandatory").length;
  if (options.format === "json") {
    io.stdout.write(`${JSON.stringify(findings.map(toRecord), null, 2)}\n`);
  } else {
    const gateway = mesh.gatewayNamespace
      ? `gateway namespace ${mesh.gatewayNamespace} (from ${mesh.gatewayNamespaceEvidence})`
      : "gateway namespace unknown: nothing in the input reveals it, so gateway rules are limited (pass --gateway-namespace)";
    io.stdout.write(`Linted ${objects.length} object(s) for ${options.environment}; ${gateway}.\n`);
    for (const f of findings) io.stdout.write(`${f.enforcement.padEnd(9)} ${f.rule}: ${f.message}\n`);
    io.stdout.write(
      findings.length === 0
        ? "No violations.\n"
        : `${mandatory} mandatory and ${findings.length - mandatory} advisory violation(s).\n`,
    );
  }
  return mandatory > 0 ? 1 : 0;
}

export function registerLintCommand(program: Command, invocation: CliInvocation): void {
  program
    .command("lint")
    .description(
      "Run the egress-guardrails rules over Kubernetes manifests (files, directories, or - for stdin). " +
        "Exit 1 on any mandatory violation, 2 on unusable input.",
    )
    .argument("<paths...>", "YAML/JSON files, directories (searched recursively), or - for stdin")
    .addOption(
      new Option("--environment <environment>", "enforcement levels from policy/config/<environment>.json")
        .choices(["dev", "prod"])
        .default("prod"),
    )
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .option("--gateway-namespace <namespace>", "the platform namespace, when the manifests do not reveal it")
    .option("--now <time>", "judge break-glass expiries at this RFC 3339 time instead of the clock")
    .action(
      async (
        paths: string[],
        opts: { environment: Environment; format: OutputFormat; gatewayNamespace?: string; now?: string },
      ) => {
        invocation.exitCode = await runLint(
          {
            inputs: paths,
            environment: opts.environment,
            format: opts.format,
            ...(opts.gatewayNamespace ? { gatewayNamespace: opts.gatewayNamespace } : {}),
            ...(opts.now ? { now: opts.now } : {}),
          },
          invocation.io,
        );
      },
    );
}
