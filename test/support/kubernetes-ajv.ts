import Ajv, { ErrorObject } from "ajv";
import type { RegExpEngine } from "ajv/dist/types";
import { childPath, SchemaIssue } from "./conformance-outcome";
import { re2RegExp } from "./re2-pattern";

/**
 * An ajv set up like a Kubernetes API server validating a custom resource: every error, OpenAPI `nullable`,
 * schema defaults applied (the server defaults before it validates), x-kubernetes-* keywords ignored.
 */
export function createKubernetesAjv(): Ajv {
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    verbose: true,
    useDefaults: true,
    validateSchema: false,
    code: { regExp: RE2_REGEXP_ENGINE },
  });
  // The formats kube-openapi validates; int32/int64/float/double are not among them ("unknown formats are ignored").
  ajv.addFormat("byte", /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
  ajv.addFormat("date-time", /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?$/);
  ajv.addFormat("date", /^\d{4}-\d{2}-\d{2}$/);
  for (const ignored of ["int32", "int64", "float", "double"]) ajv.addFormat(ignored, true);
  return ajv;
}

/** ajv's `pattern` engine, speaking Go's RE2 dialect as the API server and Helm do. */
export const RE2_REGEXP_ENGINE: RegExpEngine = Object.assign(
  (pattern: string, flags: string) => re2RegExp(pattern, flags),
  {
    code: "re2RegExp",
  },
);

/**
 * Turns ajv errors into issues phrased like the API server's. Errors from inside a oneOf/anyOf branch are
 * dropped: the junctor's own error says it better ("only one of a, b") than every failed branch does.
 */
export function issuesFromAjvErrors(
  errors: readonly ErrorObject[] | null | undefined,
  base = "",
): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const seen = new Set<string>();
  for (const error of errors ?? []) {
    if (/\/(oneOf|anyOf)\/\d+\//.test(error.schemaPath)) continue;
    const issue = issueFromAjvError(error, pathFromPointer(base, error.instancePath));
    const key = `${issue.path}\u0000${issue.message}`;
    if (!seen.has(key)) issues.push(issue);
    seen.add(key);
  }
  return issues;
}

function issueFromAjvError(error: ErrorObject, path: string): SchemaIssue {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "additionalProperties": {
      const field = childPath(path, String(params.additionalProperty));
      return { path: field, message: `unknown field "${field}"` };
    }
    case "required":
      return { path: childPath(path, String(params.missingProperty)), message: "Required value" };
    case "enum": {
      const allowed = (params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ");
      return {
        path,
        message: `Unsupported value: ${JSON.stringify(error.data)}: supported values: ${allowed}`,
      };
    }
    case "type":
      return { path, message: `must be of type ${params.type} (got ${jsonTypeOf(error.data)})` };
    case "oneOf":
      return { path, message: oneOfMessage(error) };
    case "anyOf":
      return error.parentSchema?.["x-kubernetes-int-or-string"]
        ? { path, message: `must be an integer or a string (got ${jsonTypeOf(error.data)})` }
        : { path, message: error.message ?? "must match a schema in anyOf" };
    default:
      return { path, message: error.message ?? error.keyword };
  }
}

/** Istio expresses "at most one of these fields" as oneOf over `required` lists; name the fields. */
function oneOfMessage(error: ErrorObject): string {
  const fields = [...new Set(requiredFieldsIn(error.parentSchema?.oneOf))];
  const passing = (error.params as { passingSchemas?: unknown }).passingSchemas;
  if (fields.length === 0) return error.message ?? "must match exactly one schema in oneOf";
  return passing
    ? `only one of ${fields.join(", ")} may be set`
    : `must set exactly one of ${fields.join(", ")}`;
}

function requiredFieldsIn(schema: unknown): string[] {
  if (Array.isArray(schema)) return schema.flatMap(requiredFieldsIn);
  if (!schema || typeof schema !== "object") return [];
  const node = schema as Record<string, unknown>;
  const own = Array.isArray(node.required) ? (node.required as string[]) : [];
  return [
    ...own,
    ...requiredFieldsIn(node.not),
    ...requiredFieldsIn(node.anyOf),
    ...requiredFieldsIn(node.oneOf),
  ];
}

function pathFromPointer(base: string, pointer: string): string {
  if (pointer === "") return base;
  return pointer
    .slice(1)
    .split("/")
    .map((segment) => segment.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce<string>(
      (path, segment) => childPath(path, /^\d+$/.test(segment) ? Number(segment) : segment),
      base,
    );
}

function jsonTypeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}
