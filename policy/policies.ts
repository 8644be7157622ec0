import {
  Policies,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
  UnknownValueError,
} from "@pulumi/policy";
import { KubernetesObject, ObjectKind } from "./contract";
import { toKubernetesObject } from "./crossguard-objects";
import { allRules } from "./engine/catalog";
import { describeMesh } from "./mesh/mesh-inference";
import { isKind } from "./mesh/object-fields";
import { ResourceRule, Rule, StackRule, Violation } from "./engine/rule";

/**
 * The rules of `rules/` as CrossGuard policies. Each policy's enforcement level is the rule's default
 * (mandatory); `--policy-pack-config policy/config/<env>.json` sets the level per environment.
 */

const kindList = (kinds: readonly ObjectKind[]): string => kinds.map((k) => k.kind).join(", ");

function metadataOf(rule: Rule): Omit<ResourceValidationPolicy, "validateResource"> {
  return {
    name: rule.name,
    description: rule.description,
    severity: rule.severity,
    enforcementLevel: rule.defaultEnforcement,
    remediationSteps: rule.remediation,
    tags: ["mesh-egress", rule.concern],
    ...(rule.settings ? { configSchema: { properties: { ...rule.settings.schema } } } : {}),
  };
}

/** The rule with the settings of this run's policy config applied (CrossGuard fills in the defaults). */
function configured<R extends Rule>(rule: R, args: { getConfig<T extends object>(): T }): R {
  return rule.settings ? (rule.settings.configure(args.getConfig<Record<string, unknown>>()) as R) : rule;
}

/**
 * Runs a rule so that it cannot take the preview down: an unknown value goes back to the engine (which
 * downgrades the policy to advisory for this run), any other failure is reported as a violation, so a
 * broken rule blocks rather than waves a change through.
 */
function guarded(rule: Rule, subject: string, report: ReportViolation, run: () => void): void {
  try {
    run();
  } catch (e) {
    if (e instanceof UnknownValueError) throw e;
    const message = e instanceof Error ? e.message : String(e);
    report(
      `${rule.name} could not evaluate ${subject}: ${message}. Fix the object, or report the rule's failure.`,
    );
  }
}

export function resourcePolicy(rule: ResourceRule): ResourceValidationPolicy {
  return {
    ...metadataOf(rule),
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
      const object = toKubernetesObject(args.type, args.props, args.name);
      if (!object || !rule.kinds.some((k) => isKind(object, k))) {
        args.notApplicable(`applies to ${kindList(rule.kinds)} only`);
      }
      guarded(rule, `${args.type} ${args.name}`, reportViolation, () => {
        for (const v of configured(rule, args).check(object)) reportViolation(v.message);
      });
    },
  };
}

const refKey = (kind: string, namespace: string | undefined, name: string): string =>
  `${kind}/${namespace ?? ""}/${name}`;

export function stackPolicy(rule: StackRule): StackValidationPolicy {
  return {
    ...metadataOf(rule),
    validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
      const entries: { object: KubernetesObject; urn: string }[] = [];
      for (const r of args.resources) {
        const object = toKubernetesObject(r.type, r.props, r.name);
        if (object) entries.push({ object, urn: r.urn });
      }
      if (!entries.some((e) => rule.kinds.some((k) => isKind(e.object, k)))) {
        args.notApplicable(`the stack has no ${kindList(rule.kinds)}`);
      }
      const objects = entries.map((e) => e.object);
      let violations: Violation[] = [];
      guarded(rule, "the stack", reportViolation, () => {
        violations = configured(rule, args).check(objects, describeMesh(objects));
      });
      const urns = new Map<string, string>();
      for (const e of entries) {
        try {
          urns.set(refKey(e.object.kind, e.object.metadata.namespace, e.object.metadata.name), e.urn);
        } catch {
          // A name unknown at preview only costs the violation its URN.
        }
      }
      for (const v of violations) reportViolation(v.message, urns.get(refKey(v.kind, v.namespace, v.name)));
    },
  };
}

export const policies: Policies = allRules.map((rule) =>
  rule.scope === "resource" ? resourcePolicy(rule) : stackPolicy(rule),
);
