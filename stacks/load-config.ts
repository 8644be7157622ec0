import * as fs from "fs";
import * as path from "path";
import { parseDocument } from "yaml";
import { resolveCertManager, resolveGateway, resolveGuardrails } from "./model/baselines";
import { MAX_STACK_FILE_BYTES, readBoundedFile, TextInputError } from "./bounded-text";
import { partitionBreakGlass, toBreakGlassEntry } from "./model/break-glass";
import { buildGrantRelation } from "./relations/grants";
import { temporaryServices } from "./relations/temporary-services";
import { ConfigError, ConfigIssue, formatPath } from "./model/config-error";
import { CONFIG_NAMESPACE, selectNamespacedValues, unsafeStructureIssues } from "./config-keys";
import { didYouMean } from "./did-you-mean";
import type { EgressConfig } from "./model/egress-config";
import { stackConfigSchema } from "./schema";
import { resolveRateLimits } from "./model/rate-limit-baselines";
import { mergeSharedRegistry, ReadText, readTextFile } from "./shared-registry";
import { evaluationTime } from "./evaluation-time";
import { validateBreakGlass } from "./validation/validate-break-glass";
import { validateRateLimits } from "./validation/validate-rate-limits";
import { yamlProblem } from "./yaml-problem";
import { PROJECT_DIR } from "./project-dir";
import { validateReferences } from "./validation/validate-references";

export { CONFIG_NAMESPACE, selectNamespacedValues };

const TOP_LEVEL_KEYS = Object.keys(stackConfigSchema.shape);

/** The project directory: stack files, and the registry files they reference, live here. */
export { PROJECT_DIR };

/**
 * Validates a stack's `mesh-egress:*` values (keys without the namespace) into an EgressConfig,
 * merging the shared registry file the stack references (relative to `baseDir`), if any.
 * Break-glass entries are judged at `now`. Throws ConfigError with every issue found; callers register
 * or print nothing in that case.
 */
export function parseEgressConfig(
  values: Record<string, unknown>,
  source: string,
  baseDir: string = PROJECT_DIR,
  read: ReadText = readTextFile,
  now: Date = evaluationTime(),
): EgressConfig {
  const merged = mergeSharedRegistry(values, source, baseDir, read);
  try {
    return validateEgressConfig(merged.values, source, now);
  } catch (err) {
    throw err instanceof ConfigError ? merged.locate(err) : err;
  }
}

function validateEgressConfig(values: Record<string, unknown>, source: string, now: Date): EgressConfig {
  // Again after the shared registry is merged in: its entries must not carry prototype keys either.
  const unsafe = unsafeStructureIssues(values, []);
  if (unsafe.length > 0) throw new ConfigError(source, unsafe);
  const parsed = stackConfigSchema.safeParse(values, {
    // A missing key reads "required", not "expected array, received undefined".
    error: (issue) => (issue.input === undefined && issue.code === "invalid_type" ? "required" : undefined),
  });
  if (!parsed.success) {
    throw new ConfigError(
      source,
      parsed.error.issues.flatMap((issue): ConfigIssue[] =>
        issue.code === "unrecognized_keys"
          ? issue.keys.map((key) => ({
              path: formatPath([...issue.path, key]),
              message: `unknown key "${key}"${issue.path.length === 0 ? didYouMean(key, TOP_LEVEL_KEYS) : ""}: check its spelling against the configuration reference in the README`,
            }))
          : issue.code === "invalid_key"
            ? // A record key's own problem (a label key's grammar), not zod's "Invalid key in record".
              issue.issues.map((inner) => ({ path: formatPath(issue.path), message: inner.message }))
            : [{ path: formatPath(issue.path), message: issue.message }],
      ),
    );
  }
  const {
    environment,
    gateway,
    certManager,
    guardrails,
    rateLimits,
    breakGlass,
    breakGlassMaxHours,
    ...rest
  } = parsed.data;
  const entries = breakGlass.map(toBreakGlassEntry);
  const state = partitionBreakGlass(entries, environment, breakGlassMaxHours, now);
  const temporary = temporaryServices(entries);
  const config: EgressConfig = {
    environment,
    gateway: resolveGateway(environment, gateway),
    certManager: resolveCertManager(environment, certManager),
    rateLimits: resolveRateLimits(environment, rateLimits, rest.tenants),
    guardrails: resolveGuardrails(environment, guardrails),
    ...rest,
    breakGlass: state,
    temporaryServices: state.active.flatMap((entry) => temporary.services.get(entry) ?? []),
    // Derived once, before validation: the checks read the relation as every builder does.
    grants: buildGrantRelation({ ...rest, breakGlass: state, temporaryServices: temporary.services }),
  };
  const issues = [
    ...validateReferences(config),
    ...validateRateLimits(rateLimits, config),
    ...validateBreakGlass(entries, config, breakGlassMaxHours, now),
    ...temporary.issues,
  ];
  if (issues.length > 0) {
    throw new ConfigError(source, issues);
  }
  return config;
}

/** Loads and validates a file in the `Pulumi.<stack>.yaml` format, judging break-glass entries at `now`. */
export function loadStackFile(file: string, now: Date = evaluationTime()): EgressConfig {
  let text: string;
  try {
    text = readBoundedFile(file, MAX_STACK_FILE_BYTES);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      const fix = "check the path, or write a stack of your own with `mesh-egress init`";
      throw new ConfigError(file, [{ path: "", message: `no such file: ${fix}` }], "stack file not found");
    }
    const reason =
      err instanceof TextInputError ? err.message : ((err as NodeJS.ErrnoException).code ?? "unreadable");
    throw new ConfigError(file, [{ path: "", message: `cannot read stack file: ${reason}` }]);
  }
  return loadStackText(text, file, path.dirname(file), now);
}

/**
 * Validates text in the `Pulumi.<stack>.yaml` format read from `source` (a path, or `<stdin>`);
 * a shared registry file it references is resolved against `baseDir`. Break-glass entries are judged at `now`.
 */
export function loadStackText(
  text: string,
  source: string,
  baseDir: string,
  now: Date = evaluationTime(),
): EgressConfig {
  const file = source;
  const config = (parseStackYaml(text, file) as { config?: unknown } | null)?.config;
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new ConfigError(file, [
      {
        path: "config",
        message: "required: a stack file needs a `config:` map of `mesh-egress:<key>` values",
      },
    ]);
  }
  return parseEgressConfig(
    selectNamespacedValues(config as Record<string, unknown>, file),
    file,
    baseDir,
    readTextFile,
    now,
  );
}

/** YAML to plain data; every problem (syntax, warning, alias bomb, nesting) a ConfigError naming the file. */
function parseStackYaml(text: string, file: string): unknown {
  const refuse = (message: string): never => {
    throw new ConfigError(file, [{ path: "", message }]);
  };
  try {
    // logLevel "error": warnings come back in doc.warnings, never as a raw `(node:PID)` line on stderr.
    const doc = parseDocument(text, { logLevel: "error", uniqueKeys: true });
    const problem = doc.errors[0] ?? doc.warnings[0];
    if (problem) refuse(`not valid YAML: ${yamlProblem(problem)}`);
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    return refuse(`not valid YAML: ${yamlProblem(err)}`);
  }
}

/** The stack file of a named stack in the project directory. */
export function stackFilePath(stack: string, projectDir: string = PROJECT_DIR): string {
  return path.join(projectDir, `Pulumi.${stack}.yaml`);
}

/** The stacks of the project: every `Pulumi.<stack>.yaml` beside Pulumi.yaml. */
export function projectStacks(projectDir: string = PROJECT_DIR): string[] {
  return fs
    .readdirSync(projectDir)
    .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined)
    .sort();
}

/** Pulumi passes structured config as JSON strings; plain strings stay strings. */
export function decodePulumiConfigValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

export type { ConfigIssue };
