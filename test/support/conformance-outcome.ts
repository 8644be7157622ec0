/** What conformance checks report: issues with Kubernetes-style paths, and a verdict per object or chart. */

/** One reason an object or values file would be rejected; `path` reads like `spec.ports[0].protocol`. */
export interface SchemaIssue {
  readonly path: string;
  readonly message: string;
  /** The CEL rule text, when a CRD's x-kubernetes-validations rule raised the issue. */
  readonly rule?: string;
}

/** A CEL rule that applied to a node of the object but could not be evaluated here, and why. */
export interface UnevaluatedRule {
  readonly path: string;
  readonly rule: string;
  readonly reason: string;
}

/**
 * The verdict on one object or chart. `skipped` means nothing here could check it against an upstream
 * schema: it is neither a pass nor a failure, and reports must list it as such.
 */
export type ConformanceOutcome =
  | { readonly status: "validated"; readonly subject: string; readonly unevaluatedRules: UnevaluatedRule[] }
  | { readonly status: "skipped"; readonly subject: string; readonly reason: string }
  /** Not checkable here, but checked in this run by another suite (`to` names it): neither skipped nor validated here. */
  | { readonly status: "delegated"; readonly subject: string; readonly to: string }
  | {
      readonly status: "failed";
      readonly subject: string;
      readonly issues: SchemaIssue[];
      readonly unevaluatedRules: UnevaluatedRule[];
    };

/** The issues of an outcome: none unless it failed. */
export function issuesOf(outcome: ConformanceOutcome): SchemaIssue[] {
  return outcome.status === "failed" ? outcome.issues : [];
}

/** Appends a property name or list index to a path: `spec` + `ports` + 0 → `spec.ports[0]`. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return parent === "" ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}

/** One line per issue, prefixed by its subject, for assertion messages and CLI output. */
export function formatOutcome(outcome: ConformanceOutcome): string {
  switch (outcome.status) {
    case "validated":
      return `${outcome.subject}: valid`;
    case "skipped":
      return `${outcome.subject}: SKIPPED (${outcome.reason})`;
    case "delegated":
      return `${outcome.subject}: checked by ${outcome.to}`;
    case "failed":
      return outcome.issues
        .map((issue) => `${outcome.subject}: ${issue.path || "<root>"}: ${issue.message}`)
        .join("\n");
  }
}
