import { childPath, SchemaIssue } from "./conformance-outcome";
import { SchemaNodeVisit } from "./schema-walk";

/**
 * Duplicates the API server rejects in `x-kubernetes-list-type: set` lists (equal items) and `map` lists
 * (equal values of `x-kubernetes-list-map-keys`); JSON Schema alone does not express either.
 */
export function listTypeIssues({ schema, value, path }: SchemaNodeVisit): SchemaIssue[] {
  const listType = schema["x-kubernetes-list-type"];
  if (!Array.isArray(value) || (listType !== "set" && listType !== "map")) return [];
  const mapKeys = schema["x-kubernetes-list-map-keys"] ?? [];
  const identity = (item: unknown): string =>
    listType === "set"
      ? canonicalJson(item)
      : canonicalJson(Object.fromEntries(mapKeys.map((k) => [k, field(item, k)])));
  const seen = new Set<string>();
  const issues: SchemaIssue[] = [];
  value.forEach((item, index) => {
    const key = identity(item);
    if (seen.has(key)) issues.push({ path: childPath(path, index), message: `Duplicate value: ${key}` });
    seen.add(key);
  });
  return issues;
}

function field(item: unknown, key: string): unknown {
  return item && typeof item === "object" ? (item as Record<string, unknown>)[key] : undefined;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
