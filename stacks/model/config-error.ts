/** One problem in a stack's configuration, at a path such as `tenants[2].allow[0]`. */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/** Thrown before anything is registered or rendered: every issue names its path and the fix. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly issues: readonly ConfigIssue[],
    /** What went wrong as a whole, printed before the issues: a missing file is not an invalid one. */
    readonly headline: string = "invalid mesh-egress configuration",
  ) {
    super(`${headline} in ${source}:\n${issues.map(formatIssue).join("\n")}`);
    this.name = "ConfigError";
  }
}

export function formatIssue(issue: ConfigIssue): string {
  return issue.path ? `${issue.path}: ${issue.message}` : issue.message;
}

/** Formats a path of keys and indexes as `tenants[2].allow[0]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === "number" ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join("");
}
