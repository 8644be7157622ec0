import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { resolveCertManager, resolveGateway, resolveGuardrails } from "./baselines";
import { partitionBreakGlass, toBreakGlassEntry, validateBreakGlass } from "./break-glass";
import { temporaryServices, withTemporaryServices } from "./break-glass-destinations";
import { ConfigError, ConfigIssue, formatPath } from "./config-error";
import type { EgressConfig } from "./egress-config";
import { stackConfigSchema } from "./schema";
import { resolveRateLimits } from "./rate-limit-baselines";
import { mergeSharedRegistry, ReadText, readTextFile } from "./shared-registry";
import { evaluationTime } from "./evaluation-time";
import { validateRateLimits } from "./validate-rate-limits";
import { validateReferences } from "./validate-references";

/** The Pulumi config namespace of this project: keys are `mesh-egress:<key>`. */
export const CONFIG_NAMESPACE = "mesh-egress";

/** The project directory: stack files, and the registry files they reference, live here. */
export const PROJECT_DIR = path.resolve(__dirname, "..");

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
  const parsed = stackConfigSchema.safeParse(values);
  if (!parsed.success) {
    throw new ConfigError(
      source,
      parsed.error.issues.flatMap((issue): ConfigIssue[] =>
        issue.code === "unrecognized_keys"
          ? issue.keys.map((key) => ({
              path: formatPath([...issue.path, key]),
              message: `unknown key "${key}": check its spelling against the configuration reference in the README`,
            }))
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
  const config: EgressConfig = {
    environment,
    gateway: resolveGateway(environment, gateway),
    certManager: resolveCertManager(environment, certManager),
    rateLimits: resolveRateLimits(environment, rateLimits, rest.tenants),
    guardrails: resolveGuardrails(environment, guardrails),
    ...rest,
    breakGlass: partitionBreakGlass(entries, environment, breakGlassMaxHours, now),
  };
  const temporary = temporaryServices(entries, config.breakGlass.active);
  const issues = [
    ...validateReferences(config),
    ...validateRateLimits(rateLimits, config),
    ...validateBreakGlass(entries, config, breakGlassMaxHours, now),
    ...temporary.issues,
  ];
  if (issues.length > 0) {
    throw new ConfigError(source, issues);
  }
  return withTemporaryServices(config, temporary.services);
}

/** Reads `mesh-egress:*` keys from a flat config map (Pulumi's allConfig or a stack file's `config:`). */
export function selectNamespacedValues(all: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(all)) {
    if (key.startsWith(`${CONFIG_NAMESPACE}:`)) {
      values[key.slice(CONFIG_NAMESPACE.length + 1)] = value;
    }
  }
  return values;
}

/** Loads and validates a file in the `Pulumi.<stack>.yaml` format, judging break-glass entries at `now`. */
export function loadStackFile(file: string, now: Date = evaluationTime()): EgressConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(file, [{ path: "", message: `cannot read stack file: ${(err as Error).message}` }]);
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
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (err) {
    throw new ConfigError(file, [{ path: "", message: `not valid YAML: ${(err as Error).message}` }]);
  }
  const config = (document as { config?: unknown } | null)?.config;
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new ConfigError(file, [
      { path: "config", message: "a stack file needs a `config:` map of `mesh-egress:<key>` values" },
    ]);
  }
  return parseEgressConfig(
    selectNamespacedValues(config as Record<string, unknown>),
    file,
    baseDir,
    readTextFile,
    now,
  );
}

/** The stack file of a named stack in the project directory. */
export function stackFilePath(stack: string, projectDir: string = PROJECT_DIR): string {
  return path.join(projectDir, `Pulumi.${stack}.yaml`);
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
