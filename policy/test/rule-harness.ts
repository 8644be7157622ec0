import * as assert from "node:assert/strict";
import { evaluate, EvaluateOptions, Finding, runRule } from "../engine/evaluate";
import { KubernetesObject } from "../contract";
import { describeMesh } from "../mesh/mesh-inference";
import { Rule } from "../engine/rule";

/** Every finding over the objects, all rules at their default (mandatory) level. */
export function findings(objects: readonly KubernetesObject[], options: EvaluateOptions = {}): Finding[] {
  return evaluate(objects, options).findings;
}

/** The names of the rules that fire, sorted and unique. */
export function rulesFired(objects: readonly KubernetesObject[], options: EvaluateOptions = {}): string[] {
  return [...new Set(findings(objects, options).map((f) => f.rule))].sort();
}

/** Asserts that exactly one rule fires (and no other), and returns its findings. */
export function assertOnlyRuleFires(
  objects: readonly KubernetesObject[],
  rule: Rule,
  options: EvaluateOptions = {},
): Finding[] {
  const all = findings(objects, options);
  assert.deepEqual(
    [...new Set(all.map((f) => f.rule))].sort(),
    [rule.name],
    `expected only ${rule.name} to fire, got:\n${all.map((f) => `  ${f.rule}: ${f.message}`).join("\n")}`,
  );
  return all;
}

/**
 * Asserts that the rule finds nothing in the objects. With options, the rule runs as `evaluate` runs it
 * (its settings from `options.settings` applied, unnamed namespaces defaulted), whatever its level.
 */
export function assertRulePasses(
  objects: readonly KubernetesObject[],
  rule: Rule,
  options?: EvaluateOptions,
): void {
  const found = options
    ? findings(objects, { ...options, rules: [rule], levels: new Map([[rule.name, "mandatory"]]) })
    : runRule(rule, objects, describeMesh(objects));
  assert.deepEqual(
    found.map((v) => v.message),
    [],
    `${rule.name} fired unexpectedly`,
  );
}
