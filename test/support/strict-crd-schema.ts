/** A CRD's structural schema, as a JSON Schema node (only the keywords the code below reads are typed). */
export interface StructuralSchema {
  type?: string;
  properties?: Record<string, StructuralSchema>;
  additionalProperties?: StructuralSchema | boolean;
  items?: StructuralSchema;
  required?: string[];
  allOf?: StructuralSchema[];
  anyOf?: StructuralSchema[];
  oneOf?: StructuralSchema[];
  not?: StructuralSchema;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-validations"?: unknown[];
  "x-kubernetes-list-type"?: "atomic" | "set" | "map";
  "x-kubernetes-list-map-keys"?: string[];
  [keyword: string]: unknown;
}

/**
 * A deep copy of a CRD version's openAPIV3Schema in which unknown fields are errors, as with
 * `kubectl apply --validate=strict` (the API server would otherwise prune them silently):
 * every object node without `additionalProperties` or `x-kubernetes-preserve-unknown-fields` gets
 * `additionalProperties: false`. apiVersion, kind and metadata are declared at the root, as the server
 * does implicitly; metadata itself is left open here and checked by validateObjectMeta.
 */
export function toStrictSchema(openApiV3Schema: StructuralSchema): StructuralSchema {
  const root = structuredClone(openApiV3Schema);
  root.type ??= "object";
  const { metadata, ...declared } = root.properties ?? {};
  root.properties = { apiVersion: { type: "string" }, kind: { type: "string" }, ...declared };
  forbidUnknownFields(root);
  root.properties.metadata = metadata ?? { type: "object" };
  return root;
}

// Junctors (allOf/anyOf/oneOf/not) are not descended into: in a structural schema they only add value
// constraints (Istio's are `required` lists) and must not restrict which fields exist.
function forbidUnknownFields(node: StructuralSchema): void {
  const isObject = node.type === "object" || node.properties !== undefined;
  if (isObject && node.additionalProperties === undefined && !node["x-kubernetes-preserve-unknown-fields"]) {
    node.additionalProperties = false;
  }
  for (const child of Object.values(node.properties ?? {})) forbidUnknownFields(child);
  if (typeof node.additionalProperties === "object") forbidUnknownFields(node.additionalProperties);
  if (node.items) forbidUnknownFields(node.items);
}
