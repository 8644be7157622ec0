import { z } from "zod";
import { CONFIG_NAMESPACE } from "./config-keys";
import { stackConfigSchema } from "./schema";
import { REGISTRY_KEY } from "./shared-registry";

/** Where the generated schema is published in the repository (and the npm package). */
export const STACK_FILE_SCHEMA_PATH = "schema/stack.schema.json";

/** Top-level keys Pulumi itself reads from a stack file, besides `config`. */
const PULUMI_STACK_KEYS = {
  secretsprovider: { type: "string" },
  encryptedkey: { type: "string" },
  encryptionsalt: { type: "string" },
  environment: { type: "array", items: { type: "string" } },
} as const;

/** Read by the loader before the zod schema (stacks/shared-registry.ts), so not part of it. */
const SHARED_REGISTRY_PROPERTY = {
  type: "string",
  description: "A shared registry file (services and tenants lists), relative to this stack file.",
};

/** zod's names for string checks it also writes as a `pattern`; not JSON Schema formats, so editors would warn. */
const ZOD_ONLY_FORMATS = new Set(["includes", "starts_with", "ends_with"]);

/** Drops ZOD_ONLY_FORMATS below `node` (their `pattern` stays and checks the same thing). */
function withoutZodFormats(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutZodFormats);
  if (typeof node !== "object" || node === null) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === "format" && ZOD_ONLY_FORMATS.has(value as string)))
      .map(([key, value]) => [key, withoutZodFormats(value)]),
  );
}

/**
 * The JSON Schema of a `Pulumi.<stack>.yaml` file, generated from the zod schema the loader validates
 * with, so editors complete and check `mesh-egress:<key>` values. Other providers' namespaces pass;
 * a misspelt mesh-egress key, or a bare key, does not (the loader refuses both).
 */
export function stackFileJsonSchema(): Record<string, unknown> {
  // Input side: defaults make keys optional; transforms and secrets (unrepresentable) accept anything.
  const generated = z.toJSONSchema(stackConfigSchema, {
    io: "input",
    unrepresentable: "any",
    target: "draft-7",
  });
  const { properties, required } = withoutZodFormats(generated) as {
    properties: Record<string, unknown>;
    required?: string[];
  };
  const namespaced = (key: string) => `${CONFIG_NAMESPACE}:${key}`;
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "mesh-egress stack file (Pulumi.<stack>.yaml)",
    description: "Generated from stacks/schema.ts by `npm run schema`; do not edit.",
    type: "object",
    required: ["config"],
    additionalProperties: false,
    properties: {
      ...PULUMI_STACK_KEYS,
      config: {
        type: "object",
        properties: Object.fromEntries(
          Object.entries({ ...properties, [REGISTRY_KEY]: SHARED_REGISTRY_PROPERTY }).map(([key, value]) => [
            namespaced(key),
            value,
          ]),
        ),
        required: (required ?? []).map(namespaced),
        // Another provider's `namespace:key` is fine; a mesh-egress key must be one of the above.
        propertyNames: {
          anyOf: [
            { enum: [...Object.keys(properties), REGISTRY_KEY].map(namespaced) },
            { pattern: `^(?!${CONFIG_NAMESPACE}:)[^:]+:.+$` },
          ],
        },
      },
    },
  };
}

/** The schema file's text, as `npm run schema` writes it and the test compares it. */
export function stackFileJsonSchemaText(): string {
  return `${JSON.stringify(stackFileJsonSchema(), null, 2)}\n`;
}
