import { childPath } from "./conformance-outcome";
import { StructuralSchema } from "./strict-crd-schema";

/** A value present in an object together with the structural schema node that governs it. */
export interface SchemaNodeVisit {
  readonly schema: StructuralSchema;
  readonly value: unknown;
  readonly path: string;
}

/**
 * Every present (non-null) value of `value` paired with its schema node, parents before children, as the
 * API server visits them for CEL rules and list-type checks. Junctors are not visited: they declare no fields.
 */
export function* walkSchemaNodes(
  schema: StructuralSchema,
  value: unknown,
  path = "",
): Generator<SchemaNodeVisit> {
  if (value === null || value === undefined) return;
  yield { schema, value, path };
  if (Array.isArray(value)) {
    if (schema.items) {
      for (const [index, item] of value.entries())
        yield* walkSchemaNodes(schema.items, item, childPath(path, index));
    }
    return;
  }
  if (typeof value !== "object") return;
  for (const [key, child] of Object.entries(value)) {
    const childSchema = schema.properties?.[key] ?? additionalPropertiesSchema(schema);
    if (childSchema) yield* walkSchemaNodes(childSchema, child, childPath(path, key));
  }
}

function additionalPropertiesSchema(schema: StructuralSchema): StructuralSchema | undefined {
  return typeof schema.additionalProperties === "object" ? schema.additionalProperties : undefined;
}
