import * as fs from "fs";
import * as path from "path";
import * as protobuf from "protobufjs";
import type { KubernetesObject } from "../../components/kubernetes-object";

/**
 * A strict checker of Envoy configuration in proto3 JSON form against Envoy 1.38's own `.proto`
 * files (../shared/upstream/envoy-api-1.38, loaded with protobufjs). Stricter than Istio's admission,
 * which only warns on unknown fields and then drops them: here every key must be a field of its
 * message (proto or JSON name), nested messages and `Any` (by `@type`) are checked recursively, enums
 * by name, `Duration` as a string such as "1s", at most one member of each oneof, no deprecated
 * field, and required messages (PGV `message.required`) present.
 */

export const ENVOY_API_FOLDER = "envoy-api-1.38";

/** The message an EnvoyFilter patch `value` is, by its `applyTo`. */
export const PATCH_VALUE_TYPES: Readonly<Record<string, string>> = {
  LISTENER: "envoy.config.listener.v3.Listener",
  FILTER_CHAIN: "envoy.config.listener.v3.FilterChain",
  NETWORK_FILTER: "envoy.config.listener.v3.Filter",
  LISTENER_FILTER: "envoy.config.listener.v3.ListenerFilter",
  HTTP_FILTER: "envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter",
  ROUTE_CONFIGURATION: "envoy.config.route.v3.RouteConfiguration",
  VIRTUAL_HOST: "envoy.config.route.v3.VirtualHost",
  HTTP_ROUTE: "envoy.config.route.v3.Route",
  CLUSTER: "envoy.config.cluster.v3.Cluster",
  EXTENSION_CONFIG: "envoy.config.core.v3.TypedExtensionConfig",
};

const INT32 = new Set(["int32", "sint32", "sfixed32"]);
const UINT32 = new Set(["uint32", "fixed32"]);
const INT64 = new Set(["int64", "sint64", "sfixed64", "uint64", "fixed64"]);
const FLOATS = new Set(["double", "float"]);
const WRAPPERS: Readonly<Record<string, string>> = {
  "google.protobuf.BoolValue": "bool",
  "google.protobuf.StringValue": "string",
  "google.protobuf.BytesValue": "bytes",
  "google.protobuf.Int32Value": "int32",
  "google.protobuf.UInt32Value": "uint32",
  "google.protobuf.Int64Value": "int64",
  "google.protobuf.UInt64Value": "uint64",
  "google.protobuf.DoubleValue": "double",
  "google.protobuf.FloatValue": "float",
};
/** Proto3 JSON of a Duration: seconds with up to 9 fractional digits, then "s". */
const DURATION = /^-?\d+(\.\d{1,9})?s$/;
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** The proto3 JSON name of a field: lowerCamel, as protoc derives it when no json_name is set. */
export function jsonName(fieldName: string): string {
  return fieldName.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function protoFiles(dir: string, relative = ""): string[] {
  return fs.readdirSync(path.join(dir, relative), { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(relative, entry.name);
    if (entry.isDirectory()) return protoFiles(dir, file);
    return entry.name.endsWith(".proto") ? [file] : [];
  });
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Envoy's API, loaded once: every `.proto` in the folder, so any `Any` inside can be resolved. */
export class EnvoyApi {
  private constructor(private readonly root: protobuf.Root) {}

  static load(dir: string): EnvoyApi {
    const descriptor = require("protobufjs/google/protobuf/descriptor.json") as {
      nested: { google: { nested: { protobuf: { nested: protobuf.INamespace["nested"] } } } };
    };
    // descriptor.proto is not among protobufjs's bundled common files; imports of it fail without this.
    protobuf.common("descriptor", descriptor.nested.google.nested.protobuf.nested as protobuf.INamespace);
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) => path.join(dir, target);
    root.loadSync(protoFiles(dir), { keepCase: true });
    root.resolveAll();
    return new EnvoyApi(root);
  }

  /** Whether a fully qualified message name (no leading dot) is in the loaded API. */
  hasType(name: string): boolean {
    return this.lookupType(name) !== undefined;
  }

  private lookupType(name: string): protobuf.Type | undefined {
    try {
      return this.root.lookupType(name);
    } catch {
      return undefined;
    }
  }

  /** Every problem of `value` as the proto3 JSON of message `typeName`, each as "<path>: <problem>". */
  check(typeName: string, value: unknown, at = ""): string[] {
    const type = this.lookupType(typeName);
    if (!type) return [`${at || "."}: ${typeName} is not a message of the loaded Envoy API`];
    const issues: string[] = [];
    this.checkMessage(type, value, at, issues);
    return issues;
  }

  private checkMessage(type: protobuf.Type, value: unknown, at: string, issues: string[]): void {
    const name = type.fullName.slice(1);
    if (this.checkWellKnown(name, value, at, issues)) return;
    if (!isObject(value)) {
      issues.push(`${at || "."}: ${name} must be an object, got ${JSON.stringify(value)}`);
      return;
    }
    if (name === "google.protobuf.Any") {
      this.checkAny(value, at, issues);
      return;
    }
    const byName = new Map<string, protobuf.Field>();
    for (const field of type.fieldsArray) {
      byName.set(field.name, field);
      byName.set(jsonName(field.name), field);
    }
    const seen = new Map<string, string>();
    for (const [key, child] of Object.entries(value)) {
      const where = at ? `${at}.${key}` : key;
      const field = byName.get(key);
      if (!field) {
        issues.push(
          `${where}: unknown field "${key}" in ${name} (fields: ${type.fieldsArray.map((f) => f.name).join(", ")})`,
        );
        continue;
      }
      const earlier = seen.get(field.name);
      if (earlier !== undefined) issues.push(`${where}: field ${field.name} is also set as "${earlier}"`);
      seen.set(field.name, key);
      if (field.options?.deprecated)
        issues.push(`${where}: ${name}.${field.name} is deprecated in Envoy 1.38`);
      this.checkField(field, child, where, issues);
    }
    for (const oneof of type.oneofsArray) {
      // proto3 `optional` makes a synthetic oneof of one field: nothing to choose between.
      if (oneof.fieldsArray.length < 2) continue;
      const set = oneof.fieldsArray.filter((f) => seen.has(f.name)).map((f) => f.name);
      if (set.length > 1)
        issues.push(`${at || "."}: oneof ${oneof.name} of ${name} has ${set.join(" and ")} set; at most one`);
    }
    for (const field of type.fieldsArray) {
      // A oneof member is required only once chosen; the oneof's own rule says whether one must be.
      const inOneof = (field.partOf?.fieldsArray.length ?? 0) > 1;
      if (field.options?.["(validate.rules).message.required"] && !inOneof && !seen.has(field.name)) {
        issues.push(`${at ? `${at}.` : ""}${field.name}: required by ${name}`);
      }
    }
  }

  /** An `Any`: its `@type` must be a loaded message, and its other keys that message's fields. */
  private checkAny(value: Record<string, unknown>, at: string, issues: string[]): void {
    const typeUrl = value["@type"];
    if (typeof typeUrl !== "string") {
      issues.push(`${at ? `${at}.` : ""}@type: an Any needs "@type"`);
      return;
    }
    const typeName = typeUrl.slice(typeUrl.lastIndexOf("/") + 1);
    const type = this.lookupType(typeName);
    if (!type) {
      issues.push(
        `${at ? `${at}.` : ""}@type: unknown type "${typeUrl}" (not a message of the loaded Envoy API)`,
      );
      return;
    }
    const rest = Object.fromEntries(Object.entries(value).filter(([key]) => key !== "@type"));
    if (
      typeName.startsWith("google.protobuf.") &&
      typeName !== "google.protobuf.Any" &&
      typeName !== "google.protobuf.Struct"
    ) {
      this.checkMessage(type, rest.value, at ? `${at}.value` : "value", issues);
      return;
    }
    this.checkMessage(type, rest, at, issues);
  }

  /** Messages whose proto3 JSON is not an object of fields. True when handled. */
  private checkWellKnown(name: string, value: unknown, at: string, issues: string[]): boolean {
    const where = at || ".";
    const wrapped = WRAPPERS[name];
    if (wrapped) {
      this.checkScalar(wrapped, value, where, issues);
      return true;
    }
    switch (name) {
      case "google.protobuf.Duration":
        if (typeof value !== "string" || !DURATION.test(value)) {
          issues.push(
            `${where}: a Duration is a string of seconds such as "1s" or "0.020s", not ${JSON.stringify(value)}`,
          );
        }
        return true;
      case "google.protobuf.Timestamp":
        if (typeof value !== "string" || !TIMESTAMP.test(value)) {
          issues.push(`${where}: a Timestamp is an RFC 3339 string, not ${JSON.stringify(value)}`);
        }
        return true;
      case "google.protobuf.FieldMask":
        if (typeof value !== "string")
          issues.push(`${where}: a FieldMask is a string of comma-separated paths`);
        return true;
      case "google.protobuf.Struct":
        if (!isObject(value)) issues.push(`${where}: a Struct is a JSON object`);
        return true;
      case "google.protobuf.ListValue":
        if (!Array.isArray(value)) issues.push(`${where}: a ListValue is a JSON array`);
        return true;
      case "google.protobuf.Value":
        return true;
      case "google.protobuf.Empty":
        if (!isObject(value) || Object.keys(value).length > 0) issues.push(`${where}: an Empty is {}`);
        return true;
      default:
        return false;
    }
  }

  private checkField(field: protobuf.Field, value: unknown, at: string, issues: string[]): void {
    if (value === null) {
      issues.push(`${at}: null is not a value; leave the field out`);
      return;
    }
    if (field instanceof protobuf.MapField) {
      if (!isObject(value)) {
        issues.push(`${at}: a map is a JSON object`);
        return;
      }
      for (const [key, item] of Object.entries(value)) this.checkSingle(field, item, `${at}.${key}`, issues);
      return;
    }
    if (field.repeated) {
      if (!Array.isArray(value)) {
        issues.push(`${at}: a repeated field is a JSON array, got ${JSON.stringify(value)}`);
        return;
      }
      value.forEach((item, i) => this.checkSingle(field, item, `${at}[${i}]`, issues));
      return;
    }
    this.checkSingle(field, value, at, issues);
  }

  private checkSingle(field: protobuf.Field, value: unknown, at: string, issues: string[]): void {
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf.Type) return this.checkMessage(resolved, value, at, issues);
    if (resolved instanceof protobuf.Enum) {
      if (typeof value !== "string") {
        issues.push(
          `${at}: enum ${resolved.fullName.slice(1)} by name (${Object.keys(resolved.values).join(", ")}), not ${JSON.stringify(value)}`,
        );
      } else if (!(value in resolved.values)) {
        issues.push(
          `${at}: "${value}" is not a value of enum ${resolved.fullName.slice(1)} (${Object.keys(resolved.values).join(", ")})`,
        );
      }
      return;
    }
    this.checkScalar(field.type, value, at, issues);
  }

  private checkScalar(type: string, value: unknown, at: string, issues: string[]): void {
    const bad = (expected: string) =>
      issues.push(`${at}: ${type} must be ${expected}, got ${JSON.stringify(value)}`);
    const integer = (v: unknown): number | undefined =>
      typeof v === "number" && Number.isInteger(v)
        ? v
        : typeof v === "string" && /^-?\d+$/.test(v)
          ? Number(v)
          : undefined;
    if (type === "string") {
      if (typeof value !== "string") bad("a string");
    } else if (type === "bool") {
      if (typeof value !== "boolean") bad("true or false");
    } else if (type === "bytes") {
      if (typeof value !== "string" || !BASE64.test(value)) bad("a base64 string");
    } else if (INT32.has(type)) {
      const n = integer(value);
      if (n === undefined || n < -2147483648 || n > 2147483647) bad("a 32-bit integer");
    } else if (UINT32.has(type)) {
      const n = integer(value);
      if (n === undefined || n < 0 || n > 4294967295) bad("an unsigned 32-bit integer");
    } else if (INT64.has(type)) {
      const n = integer(value);
      if (n === undefined || (type.startsWith("u") && n < 0)) bad("an integer (number or decimal string)");
    } else if (FLOATS.has(type)) {
      if (typeof value !== "number" && !["NaN", "Infinity", "-Infinity"].includes(String(value)))
        bad("a number");
    } else {
      issues.push(`${at}: unhandled type ${type}`);
    }
  }
}

let cached: { dir: string; api: EnvoyApi } | undefined;

/** The Envoy API under an upstream schemas directory, loaded once per process. */
export function envoyApiIn(schemasDir: string): EnvoyApi {
  const dir = path.join(schemasDir, ENVOY_API_FOLDER);
  if (cached?.dir !== dir) cached = { dir, api: EnvoyApi.load(dir) };
  return cached.api;
}

/**
 * Every problem of an EnvoyFilter's patch values, each patch's `value` checked as the Envoy message
 * its `applyTo` patches (an HttpFilter, a network Filter, a Cluster, …), its typed_config included.
 */
export function checkEnvoyFilter(api: EnvoyApi, filter: KubernetesObject): string[] {
  const patches = ((filter.spec?.configPatches ?? []) as Record<string, any>[]) ?? [];
  return patches.flatMap((patch, i) => {
    const at = `configPatches[${i}].patch.value`;
    const typeName = PATCH_VALUE_TYPES[String(patch.applyTo)];
    if (!typeName)
      return [`configPatches[${i}].applyTo: ${String(patch.applyTo)} has no Envoy message to check against`];
    const issues = api.check(typeName, patch.patch?.value, at);
    // A MERGE carries a partial message: what it leaves out, the patched object already has.
    return patch.patch?.operation === "MERGE"
      ? issues.filter((issue) => !/: required by /.test(issue))
      : issues;
  });
}
