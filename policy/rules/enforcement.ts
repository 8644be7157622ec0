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
