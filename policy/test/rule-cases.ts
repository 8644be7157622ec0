import * as fs from "node:fs";
import * as path from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { KubernetesObject } from "../contract";
import { enforcementLevels, ruleSettings } from "../engine/enforcement";
import { EvaluateOptions } from "../engine/evaluate";
import { allRules } from "../engine/catalog";
import { Rule } from "../engine/rule";
import { compliantPlatform } from "./compliant-platform";

/**
 * Rule test data: `policy/rules/<concern>/<rule-name>.cases.yaml`, a YAML list of cases judged on top of
 * the compliant platform (policy/README.md, "Rule test data"). This module reads and checks a file and
 * builds what each case is judged on; rule-cases.test.ts runs them.
 */

export const RULES_DIR = path.join(__dirname, "..", "rules");
export const CASES_SUFFIX = ".cases.yaml";
const POLICY_CONFIG_DIR = path.join(__dirname, "..", "config");
const PROJECT_DIR = path.join(__dirname, "..", "..");
/** The instant every case is judged at unless it names its own: test data never reads the clock. */
export const CASES_NOW = "2026-11-29T12:00:00Z";

/** Names an object of the platform or of the case; apiVersion only where a kind exists in two groups (Gateway). */
const objectRef = z.strictObject({
  kind: z.string().min(1),
  name: z.string().min(1),
  namespace: z.string().min(1).optional(),
  apiVersion: z.string().min(1).optional(),
});

const kubernetesObject = z.looseObject({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  metadata: z.looseObject({ name: z.string().min(1), namespace: z.string().min(1).optional() }),
});

const jsonObject = z.record(z.string(), z.unknown());

const ruleCase = z
  .strictObject({
    /** A sentence: the test's title. */
    name: z.string().min(1),
    expect: z.enum(["violation", "pass"]),
    /** Violation only: text one of the rule's messages must contain. */
    message: z.string().min(1).optional(),
    /** Whose policy/config/<environment>.json gives the levels and settings (prod unless told). */
    environment: z.enum(["prod", "dev"]).default("prod"),
    /** The instant rules with a `now` setting judge expiries at (RFC 3339), as `lint --now` sets it. */
    now: z.iso.datetime({ offset: true }).default(CASES_NOW),
    /** This rule's settings, over the environment's (e.g. `maxHours`). */
    settings: jsonObject.optional(),
    /** Platform objects to drop (each must exist). */
    remove: z.array(objectRef).optional(),
    /** JSON merge patches (RFC 7386: null deletes, arrays are replaced), applied last. */
    patch: z.array(objectRef.extend({ merge: jsonObject })).optional(),
    /** Objects to add; one of the same group, kind, namespace and name replaces the platform's. */
    objects: z.array(kubernetesObject).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.expect === "violation" && c.message === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["message"],
        message: "a violation case names the text it expects",
      });
    if (c.expect === "pass" && c.message !== undefined)
      ctx.addIssue({ code: "custom", path: ["message"], message: "a pass case expects no message" });
  });

const casesFile = z
  .array(ruleCase)
  .min(1)
  .superRefine((cases, ctx) => {
    const seen = new Set<string>();
    cases.forEach((c, i) => {
      if (seen.has(c.name))
        ctx.addIssue({ code: "custom", path: [i, "name"], message: "names another case" });
      seen.add(c.name);
    });
  });

export type RuleCase = z.output<typeof ruleCase>;
type ObjectRef = z.output<typeof objectRef>;

export class RuleCasesError extends Error {}

/** Every cases file under policy/rules/, as paths relative to the project (what a failure names). */
export function findCaseFiles(dir: string = RULES_DIR): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(CASES_SUFFIX))
    .map((f) => path.relative(PROJECT_DIR, path.join(dir, f)))
    .sort();
}

/** The catalog rule a file is about: its name is the file's, its concern the folder's. */
export function ruleOfFile(file: string, rules: readonly Rule[]): Rule {
  const name = path.basename(file, CASES_SUFFIX);
  const rule = rules.find((r) => r.name === name);
  if (!rule)
    throw new RuleCasesError(`${file}: no rule named "${name}" in the catalog (policy/engine/catalog.ts)`);
  const folder = path.basename(path.dirname(file));
  if (folder !== rule.concern)
    throw new RuleCasesError(
      `${file}: ${name} is a ${rule.concern} rule: move the file to policy/rules/${rule.concern}/`,
    );
  return rule;
}

/** Reads and checks a cases file; an error names the file, line, case and field. */
export function readCases(file: string): RuleCase[] {
  const text = fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors.length > 0) throw new RuleCasesError(`${file}: ${doc.errors[0]!.message}`);
  const raw: unknown = doc.toJS();
  const parsed = casesFile.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const keys = issue.code === "unrecognized_keys" ? issue.keys : [];
    const at = [...issue.path, ...keys.slice(0, 1)].map((p) => (typeof p === "symbol" ? String(p) : p));
    const line = lineOf(doc, lines, at);
    const [index, ...field] = at;
    const caseName =
      typeof index === "number" && Array.isArray(raw) ? (raw[index] as { name?: unknown })?.name : undefined;
    const where =
      typeof index === "number"
        ? `case ${index + 1}${typeof caseName === "string" ? ` "${caseName}"` : ""}${field.length > 0 ? `, field ${field.join(".")}` : ""}`
        : "the file";
    const message =
      issue.code === "unrecognized_keys"
        ? `unknown field${keys.length > 1 ? "s" : ""} ${keys.join(", ")}`
        : doc.hasIn(at as unknown[])
          ? issue.message
          : `missing (${issue.message})`;
    return `${file}${line ? `:${line}` : ""}: ${where}: ${message}`;
  });
  throw new RuleCasesError(problems.join("\n"));
}

/** The line of the deepest node of the path that exists (1-based), for a message a reader can jump to. */
function lineOf(
  doc: ReturnType<typeof parseDocument>,
  lines: LineCounter,
  at: readonly PropertyKey[],
): number | undefined {
  for (let n = at.length; n >= 0; n--) {
    const node = doc.getIn(at.slice(0, n) as unknown[], true) as
      { range?: [number, number, number] } | undefined;
    if (node?.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

const groupOf = (apiVersion: string) => (apiVersion.includes("/") ? apiVersion.split("/")[0] : "");

function sameObject(a: KubernetesObject, b: KubernetesObject): boolean {
  return (
    groupOf(a.apiVersion) === groupOf(b.apiVersion) &&
    a.kind === b.kind &&
    a.metadata.name === b.metadata.name &&
    a.metadata.namespace === b.metadata.namespace
  );
}

function indexOf(objects: readonly KubernetesObject[], ref: ObjectRef): number {
  const hits = objects.flatMap((o, i) =>
    o.kind === ref.kind &&
    o.metadata.name === ref.name &&
    o.metadata.namespace === ref.namespace &&
    (ref.apiVersion === undefined || groupOf(o.apiVersion) === groupOf(ref.apiVersion))
      ? [i]
      : [],
  );
  const described = `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`;
  if (hits.length === 0)
    throw new RuleCasesError(
      `${described} is neither in the compliant platform nor among the case's objects`,
    );
  if (hits.length > 1)
    throw new RuleCasesError(`${described} names ${hits.length} objects: add its apiVersion`);
  return hits[0]!;
}

/** RFC 7386: objects merge key by key, null deletes, anything else (arrays too) replaces. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    typeof target === "object" && target !== null && !Array.isArray(target) ? { ...(target as object) } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

/**
 * The compliant platform with the case's removals, then objects (added, or replacing their namesake), then
 * patches applied: a patch may adjust an object the case added, so one anchored object serves many cases.
 */
export function caseObjects(c: RuleCase): KubernetesObject[] {
  const objects = compliantPlatform();
  for (const ref of c.remove ?? []) objects.splice(indexOf(objects, ref), 1);
  for (const added of JSON.parse(JSON.stringify(c.objects ?? [])) as KubernetesObject[]) {
    const i = objects.findIndex((o) => sameObject(o, added));
    if (i >= 0) objects[i] = added;
    else objects.push(added);
  }
  for (const { merge, ...ref } of c.patch ?? []) {
    const i = indexOf(objects, ref);
    objects[i] = mergePatch(objects[i], merge) as KubernetesObject;
  }
  return objects;
}

/**
 * Levels and settings as `mesh-egress lint --environment <env> --now <instant>` applies them, with the
 * case's settings over its rule's.
 */
export function caseOptions(
  c: Pick<RuleCase, "environment" | "now" | "settings">,
  rule?: Rule,
  rules: readonly Rule[] = allRules,
): EvaluateOptions {
  const config = JSON.parse(
    fs.readFileSync(path.join(POLICY_CONFIG_DIR, `${c.environment}.json`), "utf8"),
  ) as Record<string, unknown>;
  const entryOf = (name: string): Record<string, unknown> => {
    const entry = config[name];
    return typeof entry === "string"
      ? { enforcementLevel: entry }
      : { ...(entry as Record<string, unknown>) };
  };
  for (const r of rules) {
    if (r.settings?.schema.now) config[r.name] = { ...entryOf(r.name), now: c.now };
  }
  if (c.settings && rule) config[rule.name] = { ...entryOf(rule.name), ...c.settings };
  return { levels: enforcementLevels(config, rules), settings: ruleSettings(config, rules) };
}
