import { allRules } from "./catalog";
import { EnforcementLevel, Rule } from "./rule";

/**
 * Enforcement levels from a policy pack config, the JSON `pulumi preview --policy-pack-config` reads:
 * `{"<policy>": "mandatory" | "advisory" | "disabled"}` or `{"<policy>": {"enforcementLevel": ...}}`,
 * with an optional `"all"` that a policy's own entry overrides. `mesh-egress lint` reads the same files.
 */
export type EnforcementLevels = ReadonlyMap<string, EnforcementLevel>;

const LEVELS = new Set(["mandatory", "advisory", "disabled", "remediate"]);

export class PolicyConfigError extends Error {}

function levelOf(key: string, value: unknown): EnforcementLevel | undefined {
  const raw =
    typeof value === "string"
      ? value
      : typeof value === "object" && value !== null && !Array.isArray(value)
        ? (value as Record<string, unknown>).enforcementLevel
        : Symbol("invalid");
  if (raw === undefined) return undefined;
  if (typeof raw !== "string" || !LEVELS.has(raw)) {
    throw new PolicyConfigError(
      `${key}: enforcement level must be one of mandatory, advisory, disabled (got ${JSON.stringify(raw ?? null)})`,
    );
  }
  // CrossGuard runs a "remediate" policy that still finds a violation as mandatory; these rules never remediate.
  return raw === "remediate" ? "mandatory" : (raw as EnforcementLevel);
}

export function enforcementLevels(config: unknown, rules: readonly Rule[] = allRules): EnforcementLevels {
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new PolicyConfigError("policy pack config must be a JSON object keyed by policy name");
  }
  const entries = config as Record<string, unknown>;
  const known = new Set(rules.map((r) => r.name));
  for (const key of Object.keys(entries)) {
    if (key !== "all" && !known.has(key))
      throw new PolicyConfigError(`${key}: no policy of that name in egress-guardrails`);
  }
  const all = "all" in entries ? levelOf("all", entries.all) : undefined;
  const levels = new Map<string, EnforcementLevel>();
  for (const rule of rules) {
    const own = rule.name in entries ? levelOf(rule.name, entries[rule.name]) : undefined;
    levels.set(rule.name, own ?? all ?? rule.defaultEnforcement);
  }
  return levels;
}

/** Per-rule settings from a policy pack config: an entry's keys other than `enforcementLevel`. */
export type RuleSettingValues = ReadonlyMap<string, Readonly<Record<string, unknown>>>;

/**
 * The settings each rule's config entry carries (e.g. `{"enforcementLevel": "mandatory", "maxDays": 30}`),
 * checked against the rule's declared settings so a typo fails instead of being ignored. CrossGuard hands
 * the same values to the policy through `getConfig()`.
 */
export function ruleSettings(config: unknown, rules: readonly Rule[] = allRules): RuleSettingValues {
  enforcementLevels(config, rules);
  const entries = config as Record<string, unknown>;
  const out = new Map<string, Readonly<Record<string, unknown>>>();
  for (const rule of rules) {
    const entry = entries[rule.name];
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) continue;
    const values: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(entry as Record<string, unknown>)) {
      if (key === "enforcementLevel") continue;
      const schema = rule.settings?.schema[key];
      if (!schema) {
        throw new PolicyConfigError(
          `${rule.name}.${key}: not a setting of this policy${rule.settings ? ` (settings: ${Object.keys(rule.settings.schema).join(", ")})` : ""}`,
        );
      }
      if (
        schema.type === "integer" &&
        !(
          Number.isInteger(value) &&
          (schema.minimum === undefined || (value as number) >= Number(schema.minimum))
        )
      ) {
        throw new PolicyConfigError(
          `${rule.name}.${key}: must be an integer${schema.minimum !== undefined ? ` of at least ${String(schema.minimum)}` : ""}`,
        );
      }
      values[key] = value;
    }
    if (Object.keys(values).length > 0) out.set(rule.name, values);
  }
  return out;
}
