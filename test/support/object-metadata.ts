import { childPath, SchemaIssue } from "./conformance-outcome";

/** Which of the API server's name validations applies to a kind's metadata.name. */
export type NameRule = "dns1123-subdomain" | "dns1123-label" | "dns1035-label" | "path-segment";

export interface ObjectMetaExpectations {
  readonly nameRule: NameRule;
  /** True for namespaced kinds, false for cluster-scoped ones (which must not carry a namespace). */
  readonly namespaced: boolean;
}

// ObjectMeta's fields: anything else is an unknown field the server would drop.
const OBJECT_META_FIELDS = new Set([
  "name",
  "generateName",
  "namespace",
  "selfLink",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "labels",
  "annotations",
  "ownerReferences",
  "finalizers",
  "managedFields",
]);

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const MAX_ANNOTATIONS_BYTES = 256 * 1024;

/** metadata as the API server validates it (apimachinery ValidateObjectMeta), for any kind. */
export function validateObjectMeta(metadata: unknown, expected: ObjectMetaExpectations): SchemaIssue[] {
  if (!isRecord(metadata))
    return [{ path: "metadata", message: "Required value: metadata must be an object" }];
  const issues: SchemaIssue[] = [];
  for (const field of Object.keys(metadata)) {
    if (!OBJECT_META_FIELDS.has(field))
      issues.push({ path: childPath("metadata", field), message: `unknown field "metadata.${field}"` });
  }
  const { name, generateName, namespace, labels, annotations } = metadata;
  if (name === undefined && generateName === undefined) {
    issues.push({ path: "metadata.name", message: "Required value: name or generateName is required" });
  }
  if (name !== undefined) issues.push(...nameIssues("metadata.name", name, expected.nameRule));
  if (namespace !== undefined) {
    if (!expected.namespaced) {
      issues.push({
        path: "metadata.namespace",
        message: "Forbidden: not allowed on this type (cluster-scoped)",
      });
    } else {
      issues.push(...nameIssues("metadata.namespace", namespace, "dns1123-label"));
    }
  }
  if (labels !== undefined) issues.push(...labelIssues(labels));
  if (annotations !== undefined) issues.push(...annotationIssues(annotations));
  return issues;
}

function nameIssues(path: string, value: unknown, rule: NameRule): SchemaIssue[] {
  if (typeof value !== "string") return [{ path, message: `must be of type string (got ${typeof value})` }];
  const problem = nameProblem(value, rule);
  return problem ? [{ path, message: `Invalid value: ${JSON.stringify(value)}: ${problem}` }] : [];
}

function nameProblem(value: string, rule: NameRule): string | undefined {
  switch (rule) {
    case "dns1123-subdomain":
      if (value.length > 253) return "must be no more than 253 characters";
      return DNS1123_SUBDOMAIN.test(value)
        ? undefined
        : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
    case "dns1123-label":
      if (value.length > 63) return "must be no more than 63 characters";
      return DNS1123_LABEL.test(value)
        ? undefined
        : "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
    case "dns1035-label":
      if (value.length > 63) return "must be no more than 63 characters";
      return DNS1035_LABEL.test(value)
        ? undefined
        : "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
    case "path-segment":
      if (value === "." || value === "..") return `may not be '${value}'`;
      return /[/%]/.test(value) ? "may not contain '/' or '%'" : undefined;
  }
}

function labelIssues(labels: unknown): SchemaIssue[] {
  if (!isRecord(labels)) return [{ path: "metadata.labels", message: "must be a map of string to string" }];
  return Object.entries(labels).flatMap(([key, value]) => {
    const path = childPath("metadata.labels", key);
    const issues = qualifiedNameIssues(path, key);
    if (typeof value !== "string")
      return [...issues, { path, message: `must be of type string (got ${typeof value})` }];
    if (value.length > 63 || (value !== "" && !QUALIFIED_NAME_PART.test(value))) {
      const rule =
        "a valid label must be 63 characters or less, empty or alphanumeric with '-', '_' or '.' inside";
      issues.push({ path, message: `Invalid value: ${JSON.stringify(value)}: ${rule}` });
    }
    return issues;
  });
}

function annotationIssues(annotations: unknown): SchemaIssue[] {
  if (!isRecord(annotations))
    return [{ path: "metadata.annotations", message: "must be a map of string to string" }];
  let bytes = 0;
  const issues = Object.entries(annotations).flatMap(([key, value]) => {
    const path = childPath("metadata.annotations", key);
    bytes += Buffer.byteLength(key) + (typeof value === "string" ? Buffer.byteLength(value) : 0);
    const keyIssues = qualifiedNameIssues(path, key);
    return typeof value === "string"
      ? keyIssues
      : [...keyIssues, { path, message: `must be of type string (got ${typeof value})` }];
  });
  if (bytes > MAX_ANNOTATIONS_BYTES) {
    issues.push({
      path: "metadata.annotations",
      message: `Too long: must have at most ${MAX_ANNOTATIONS_BYTES} bytes`,
    });
  }
  return issues;
}

// A label or annotation key: an optional DNS-subdomain prefix and "/", then a name of at most 63 characters.
function qualifiedNameIssues(path: string, key: string): SchemaIssue[] {
  const slash = key.lastIndexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const valid =
    name.length <= 63 &&
    QUALIFIED_NAME_PART.test(name) &&
    (prefix === undefined || (prefix.length <= 253 && DNS1123_SUBDOMAIN.test(prefix)));
  const rule =
    "must be a qualified name: an optional DNS subdomain prefix and '/', then 63 alphanumeric characters or '-', '_', '.' inside";
  return valid ? [] : [{ path, message: `Invalid key ${JSON.stringify(key)}: ${rule}` }];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
