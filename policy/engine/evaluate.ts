import { KubernetesObject } from "../contract";
import { allRules } from "./catalog";
import { EnforcementLevels, RuleSettingValues } from "./enforcement";
import { withDefaultNamespace } from "./default-namespace";
import { describeMesh, MeshOverrides } from "../mesh/mesh-inference";
import { MeshTopology } from "../mesh/mesh-topology";
import { isKind } from "../mesh/object-fields";
import { EnforcementLevel, Rule, Severity, Violation } from "./rule";

/** A violation with the rule that found it and how it is enforced: one line of `mesh-egress lint`. */
export interface Finding extends Violation {
  readonly rule: string;
  readonly enforcement: Exclude<EnforcementLevel, "disabled">;
  readonly severity: Severity;
}

export interface EvaluateOptions extends MeshOverrides {
  /** Per-rule levels (from policy/config/<env>.json); each rule's default when absent. */
  readonly levels?: EnforcementLevels;
  /** Per-rule settings (from the same config file), applied as CrossGuard applies `getConfig()`. */
  readonly settings?: RuleSettingValues;
  readonly rules?: readonly Rule[];
  /** Where namespaced objects without `metadata.namespace` land (`kubectl apply`'s current namespace): default. */
  readonly defaultNamespace?: string;
}

/** Runs one rule over the objects: a resource rule on each object of its kinds, a stack rule once. */
export function runRule(rule: Rule, objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
  if (rule.scope === "stack") return rule.check(objects, mesh);
  return objects.filter((o) => rule.kinds.some((k) => isKind(o, k))).flatMap((o) => rule.check(o));
}

/** Runs every enabled rule; findings come in catalog order, duplicates removed. */
export function evaluate(
  input: readonly KubernetesObject[],
  options: EvaluateOptions = {},
): { findings: Finding[]; mesh: MeshTopology } {
  const objects = withDefaultNamespace(input, options.defaultNamespace);
  const mesh = describeMesh(objects, options);
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const rule of options.rules ?? allRules) {
    const enforcement = options.levels?.get(rule.name) ?? rule.defaultEnforcement;
    if (enforcement === "disabled") continue;
    const values = options.settings?.get(rule.name);
    const configured = values && rule.settings ? rule.settings.configure(values) : rule;
    for (const v of runRule(configured, objects, mesh)) {
      const key = `${rule.name}\u0000${v.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push({ rule: rule.name, enforcement, severity: rule.severity, ...v });
    }
  }
  return { findings, mesh };
}
