import * as fs from "fs";
import * as path from "path";
import Ajv, { ValidateFunction } from "ajv";
import YAML from "yaml";
import { compileRule, rulesInSchema, toCelValue, ValidationRule } from "./cel-rules";
import { ConformanceOutcome, SchemaIssue, UnevaluatedRule } from "./conformance-outcome";
import { createKubernetesAjv, issuesFromAjvErrors } from "./kubernetes-ajv";
import { listTypeIssues } from "./list-types";
import { validateObjectMeta } from "./object-metadata";
import { walkSchemaNodes } from "./schema-walk";
import { StructuralSchema, toStrictSchema } from "./strict-crd-schema";
import { findUncheckedKind, uncheckedOutcome } from "./unchecked-kinds";

/** One served version of a CRD: what a custom resource of that apiVersion and kind is validated against. */
export interface CrdVersion {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly schema: StructuralSchema;
  readonly sourceFile: string;
}

/** The distinct CEL rules of a catalog's CRDs, split into those evaluated and those skipped (with why). */
export interface CelRuleInventory {
  readonly distinct: readonly string[];
  readonly evaluable: readonly string[];
  readonly skipped: readonly { readonly rule: string; readonly reason: string }[];
}

interface CompiledKind {
  readonly validate: ValidateFunction;
  readonly strictSchema: StructuralSchema;
}

/** The served CRD versions found in a directory, validating custom resources as a strict API server would. */
export class CrdCatalog {
  private readonly versions = new Map<string, CrdVersion>();
  private readonly compiled = new Map<string, CompiledKind>();
  private ajv: Ajv | undefined;

  constructor(versions: readonly CrdVersion[]) {
    for (const version of versions) this.versions.set(keyOf(version.apiVersion, version.kind), version);
  }

  /** Every (apiVersion, kind) the catalog can validate, as `group/version Kind`. */
  kinds(): string[] {
    return [...this.versions.values()].map((v) => `${v.apiVersion} ${v.kind}`);
  }

  /** Every served version the catalog holds, with the schema it validates against. */
  servedVersions(): CrdVersion[] {
    return [...this.versions.values()];
  }

  has(apiVersion: string, kind: string): boolean {
    return this.versions.has(keyOf(apiVersion, kind));
  }

  /** The apiVersions under which the catalog serves a kind (to suggest one when an object names another). */
  apiVersionsOf(kind: string): string[] {
    return [...this.versions.values()].filter((v) => v.kind === kind).map((v) => v.apiVersion);
  }

  /**
   * Validates one object: a custom resource against its CRD (schema with unknown fields as errors, metadata,
   * list types, CEL rules); a known built-in kind is skipped; anything else fails ("no schema for").
   * A null in a non-nullable field fails too: the server would prune it silently, as it prunes unknown fields.
   */
  validate(object: unknown): ConformanceOutcome {
    const subject = subjectOf(object);
    if (!isRecord(object) || typeof object.apiVersion !== "string" || typeof object.kind !== "string") {
      return failed(subject, [{ path: "", message: "apiVersion and kind must be strings" }]);
    }
    const { apiVersion, kind } = object;
    const version = this.versions.get(keyOf(apiVersion, kind));
    if (!version) return this.validateUncatalogued(subject, apiVersion, kind, object.metadata);

    const { validate, strictSchema } = this.compile(version);
    const data = structuredClone(object);
    const issues = validateObjectMeta(data.metadata, {
      namespaced: version.namespaced,
      nameRule: "dns1123-subdomain",
    });
    if (!validate(data)) issues.push(...issuesFromAjvErrors(validate.errors));
    const unevaluatedRules: UnevaluatedRule[] = [];
    for (const visit of walkSchemaNodes(strictSchema, data)) {
      issues.push(...listTypeIssues(visit));
      for (const rule of (visit.schema["x-kubernetes-validations"] ?? []) as ValidationRule[]) {
        const compiled = compileRule(rule);
        if (compiled.status === "skipped") {
          unevaluatedRules.push({ path: visit.path, rule: rule.rule, reason: compiled.reason });
          continue;
        }
        const verdict = compiled.check(toCelValue(visit.schema, visit.value));
        if (verdict.passed) continue;
        const where = rule.fieldPath ? `${visit.path}${rule.fieldPath}`.replace(/^\./, "") : visit.path;
        const message =
          "message" in verdict
            ? `Invalid value: ${verdict.message} (CEL rule: ${rule.rule})`
            : `CEL rule could not be evaluated: ${verdict.error} (CEL rule: ${rule.rule})`;
        issues.push({ path: where, message, rule: rule.rule });
      }
    }
    return issues.length > 0
      ? { status: "failed", subject, issues, unevaluatedRules }
      : { status: "validated", subject, unevaluatedRules };
  }

  /** Every distinct CEL rule text across the catalog's served versions, and whether it can be evaluated. */
  celRuleInventory(): CelRuleInventory {
    const byText = new Map<string, ValidationRule>();
    for (const version of this.versions.values()) {
      for (const rule of rulesInSchema(version.schema))
        if (!byText.has(rule.rule)) byText.set(rule.rule, rule);
    }
    const evaluable: string[] = [];
    const skipped: { rule: string; reason: string }[] = [];
    for (const rule of byText.values()) {
      const compiled = compileRule(rule);
      if (compiled.status === "evaluable") evaluable.push(rule.rule);
      else skipped.push({ rule: rule.rule, reason: compiled.reason });
    }
    return { distinct: [...byText.keys()], evaluable, skipped };
  }

  private validateUncatalogued(
    subject: string,
    apiVersion: string,
    kind: string,
    metadata: unknown,
  ): ConformanceOutcome {
    const unchecked = findUncheckedKind(apiVersion, kind);
    if (unchecked) {
      const issues = validateObjectMeta(metadata, unchecked);
      return issues.length > 0 ? failed(subject, issues) : uncheckedOutcome(subject, unchecked);
    }
    const served = this.apiVersionsOf(kind);
    const hint = served.length > 0 ? ` (${kind} is served as ${served.join(", ")})` : "";
    return failed(subject, [{ path: "apiVersion", message: `no schema for ${apiVersion} ${kind}${hint}` }]);
  }

  // ajv compiles a kind's schema on first use only: Istio's CRDs are large and most tests touch few kinds.
  private compile(version: CrdVersion): CompiledKind {
    const key = keyOf(version.apiVersion, version.kind);
    let compiled = this.compiled.get(key);
    if (!compiled) {
      this.ajv ??= createKubernetesAjv();
      const strictSchema = toStrictSchema(version.schema);
      compiled = { validate: this.ajv.compile(strictSchema), strictSchema };
      this.compiled.set(key, compiled);
    }
    return compiled;
  }
}

const catalogs = new Map<string, CrdCatalog>();

/** The catalog of every CRD in the YAML files under `dir` (recursively), parsed once per directory. */
export function loadCrdCatalog(dir: string): CrdCatalog {
  const resolved = path.resolve(dir);
  let catalog = catalogs.get(resolved);
  if (!catalog) {
    catalog = new CrdCatalog(yamlFilesUnder(resolved).flatMap(servedVersionsIn));
    catalogs.set(resolved, catalog);
  }
  return catalog;
}

function yamlFilesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) return yamlFilesUnder(file);
      return /\.ya?ml$/.test(entry.name) ? [file] : [];
    })
    .sort();
}

interface CrdDocument {
  kind?: unknown;
  spec: {
    group: string;
    scope: "Namespaced" | "Cluster";
    names: { kind: string };
    versions: { name: string; served: boolean; schema?: { openAPIV3Schema?: StructuralSchema } }[];
  };
}

function servedVersionsIn(file: string): CrdVersion[] {
  const text = fs.readFileSync(file, "utf8");
  if (!/^kind:\s*CustomResourceDefinition\s*$/m.test(text)) return [];
  return YAML.parseAllDocuments(text).flatMap((document) => {
    if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0].message}`);
    const crd = document.toJS({ maxAliasCount: -1 }) as CrdDocument | null;
    if (crd?.kind !== "CustomResourceDefinition") return [];
    return crd.spec.versions
      .filter((version) => version.served && version.schema?.openAPIV3Schema)
      .map((version) => ({
        apiVersion: `${crd.spec.group}/${version.name}`,
        kind: crd.spec.names.kind,
        namespaced: crd.spec.scope === "Namespaced",
        schema: version.schema!.openAPIV3Schema!,
        sourceFile: file,
      }));
  });
}

function keyOf(apiVersion: string, kind: string): string {
  return `${apiVersion} ${kind}`;
}

function subjectOf(object: unknown): string {
  if (!isRecord(object)) return "<not an object>";
  const metadata = isRecord(object.metadata) ? object.metadata : {};
  const name =
    typeof metadata.namespace === "string" ? `${metadata.namespace}/${metadata.name}` : `${metadata.name}`;
  return `${object.apiVersion} ${object.kind} ${name}`;
}

function failed(subject: string, issues: SchemaIssue[]): ConformanceOutcome {
  return { status: "failed", subject, issues, unevaluatedRules: [] };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
