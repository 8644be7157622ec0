import { ConfigError, type ConfigIssue, formatPath } from "./model/config-error";
import { closestMatch } from "./did-you-mean";

/** The Pulumi config namespace of this project: keys are `mesh-egress:<key>`. */
export const CONFIG_NAMESPACE = "mesh-egress";

/** Keys that reach an object's prototype when copied with `obj[key] = …`: never accepted, at any depth. */
const PROTOTYPE_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/** Deeper than any real stack (the schema's deepest path is 8): refused before anything recurses over it. */
export const MAX_CONFIG_DEPTH = 32;

/** The namespace's spelling with separators and case flattened: `Mesh_Egress` reads as ours. */
const flatten = (namespace: string) => namespace.toLowerCase().replace(/[-_.\s]/g, "");

/** Whether a config namespace is a misspelling of ours rather than another provider's (`kubernetes`, `pulumi`). */
function looksLikeOurs(namespace: string): boolean {
  return (
    flatten(namespace) === flatten(CONFIG_NAMESPACE) ||
    closestMatch(namespace, [CONFIG_NAMESPACE]) !== undefined
  );
}

/** Issues for prototype keys and for nesting deeper than MAX_CONFIG_DEPTH, walking without recursion. */
export function unsafeStructureIssues(root: unknown, rootPath: readonly PropertyKey[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const stack: { value: unknown; path: readonly PropertyKey[] }[] = [{ value: root, path: rootPath }];
  while (stack.length > 0) {
    const { value, path } = stack.pop() as { value: unknown; path: readonly PropertyKey[] };
    if (typeof value !== "object" || value === null) continue;
    if (path.length - rootPath.length > MAX_CONFIG_DEPTH) {
      issues.push({
        path: formatPath(path),
        message: `nested more than ${MAX_CONFIG_DEPTH} levels deep: no mesh-egress setting is, so this is not a stack's configuration`,
      });
      continue;
    }
    for (const [key, child] of Object.entries(value)) {
      const at = [...path, Array.isArray(value) ? Number(key) : key];
      if (!Array.isArray(value) && PROTOTYPE_KEYS.has(key)) {
        issues.push({
          path: formatPath(at),
          message: `"${key}" is not an allowed key: it names an object's prototype, never a setting`,
        });
        continue;
      }
      stack.push({ value: child, path: at });
    }
  }
  return issues;
}

/**
 * Reads `mesh-egress:*` keys from a flat config map (Pulumi's allConfig or a stack file's `config:`)
 * into an object without a prototype. Throws ConfigError for keys that look like ours but are not
 * (`mesh-egres:tenants`, `mesh_egress:services`, a bare `tenants`), prototype keys and deep nesting.
 */
export function selectNamespacedValues(
  all: Readonly<Record<string, unknown>>,
  source: string,
): Record<string, unknown> {
  const values: Record<string, unknown> = Object.create(null);
  const issues: ConfigIssue[] = [];
  for (const [key, value] of Object.entries(all)) {
    const colon = key.indexOf(":");
    const namespace = colon < 0 ? undefined : key.slice(0, colon);
    const name = colon < 0 ? key : key.slice(colon + 1);
    if (namespace === CONFIG_NAMESPACE) {
      if (PROTOTYPE_KEYS.has(name)) {
        issues.push({
          path: name,
          message: `"${name}" is not an allowed key: it names an object's prototype, never a setting`,
        });
        continue;
      }
      issues.push(...unsafeStructureIssues(value, [name]));
      values[name] = value;
    } else if (namespace === undefined || looksLikeOurs(namespace)) {
      issues.push({
        path: key,
        message: `not a mesh-egress key (did you mean "${CONFIG_NAMESPACE}:${name}"?): settings outside the "${CONFIG_NAMESPACE}:" namespace are ignored, so this one would silently do nothing`,
      });
    }
  }
  if (issues.length > 0) throw new ConfigError(source, issues);
  return values;
}
