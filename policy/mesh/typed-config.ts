import { dig, Fields, fields, isFields, text } from "./object-fields";

/** The wrappers Envoy unpacks before reading a filter's config: `type_url` names the real type, `value` holds it. */
const TYPED_STRUCT_TYPES = ["udpa.type.v1.TypedStruct", "xds.type.v3.TypedStruct"];

/** A filter's typed config as Envoy reads it: its type URL and its fields. */
export interface TypedConfig {
  readonly type: string;
  readonly config: Fields;
}

/**
 * A `typed_config` read through a TypedStruct wrapper (Istio's docs and many charts write it that way),
 * so the real type and fields are judged, never the wrapper's. Undefined without a typed config.
 */
export function typedConfigOf(value: unknown): TypedConfig | undefined {
  const raw = dig(value, "typed_config") ?? dig(value, "typedConfig");
  if (!isFields(raw)) return undefined;
  const type = text(raw["@type"]) ?? "";
  if (TYPED_STRUCT_TYPES.some((wrapper) => type.endsWith(`/${wrapper}`))) {
    return { type: text(raw.type_url ?? raw.typeUrl) ?? "", config: fields(raw.value) };
  }
  return { type, config: raw };
}
