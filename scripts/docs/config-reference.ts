import { z } from "zod";
import { BREAK_GLASS_MAX_HOURS } from "../../policy/contract";
import {
  certManagerBaselines,
  gatewayBaselines,
  guardrailActionBaselines,
} from "../../stacks/model/baselines";
import { rateLimitBaselines } from "../../stacks/model/rate-limit-baselines";
import { stackConfigSchema } from "../../stacks/schema";
import { CONFIG_DESCRIPTIONS } from "./config-descriptions";

/** One node of the JSON Schema zod 4 emits for the stack config (only the fields this page reads). */
interface JsonSchemaNode {
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly pattern?: string;
  readonly format?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly default?: unknown;
  readonly description?: string;
  readonly properties?: Readonly<Record<string, JsonSchemaNode>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: JsonSchemaNode | boolean;
  readonly items?: JsonSchemaNode;
  readonly anyOf?: readonly JsonSchemaNode[];
  readonly oneOf?: readonly JsonSchemaNode[];
}

/** A row of the reference: one key path, what it accepts, its default and what it means. */
export interface ConfigKeyRow {
  /** `gateway.replicas.min`, `services[].tls.caBundle`, `rateLimits.tenants.<name>.http`. */
  readonly path: string;
  readonly type: string;
  readonly required: boolean;
  readonly default?: string;
  /** Variants of a discriminated list entry that accept the key (`mode: originate-mutual`), when not all do. */
  readonly onlyWhen?: string;
  readonly description: string;
}

/** Patterns the schema reuses, named as a reader knows them. */
const KNOWN_PATTERNS: Readonly<Record<string, string>> = {
  "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$": "DNS-1123 label",
  "^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$": "label value",
  "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$": "DNS name",
  "^v?(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?$":
    "exact version",
};

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

const variantsOf = (node: JsonSchemaNode): readonly JsonSchemaNode[] => [
  ...(node.anyOf ?? []),
  ...(node.oneOf ?? []),
];

/** Whether zod could say anything about the node (a refused or custom-checked field emits `{}`). */
function isTyped(node: JsonSchemaNode): boolean {
  return (
    node.type !== undefined ||
    node.enum !== undefined ||
    node.const !== undefined ||
    node.properties !== undefined ||
    variantsOf(node).some(isTyped)
  );
}

function typeOf(node: JsonSchemaNode): string {
  if (node.const !== undefined) return `\`${JSON.stringify(node.const)}\``;
  if (node.enum) return node.enum.map((value) => `\`${String(value)}\``).join(" \\| ");
  const variants = variantsOf(node).filter(isTyped);
  if (variants.length > 0) return [...new Set(variants.map(typeOf))].join(" \\| ");
  const types = node.type === undefined ? [] : typeof node.type === "string" ? [node.type] : [...node.type];
  if (types.length === 0) return node.properties ? "object" : "checked by the schema";
  const constraints = constraintsOf(node);
  return types
    .map((type) => {
      if (type === "array") return `list of ${node.items ? typeOf(node.items) : "values"}`;
      if (type === "object") {
        if (node.properties) return "object";
        if (typeof node.additionalProperties === "object")
          return `map of ${typeOf(node.additionalProperties)}`;
        return "object";
      }
      return type;
    })
    .join(" or ")
    .concat(
      constraints.length === 0
        ? ""
        : types.includes("array")
          ? `, ${constraints.join(", ")}`
          : ` (${constraints.join(", ")})`,
    );
}

function constraintsOf(node: JsonSchemaNode): string[] {
  const out: string[] = [];
  if (node.pattern !== undefined) {
    const known = KNOWN_PATTERNS[node.pattern];
    if (known) out.push(known);
    else if (node.format === "includes") out.push(`contains \`${node.pattern}\``);
    else if (node.format !== "starts_with") out.push(`matches \`${node.pattern.replace(/\|/g, "\\|")}\``);
  }
  if (node.format === "uri") out.push("URL");
  if (node.format === "starts_with") out.push("starts with `/`");
  const min = node.minimum ?? (node.exclusiveMinimum !== undefined ? node.exclusiveMinimum + 1 : undefined);
  const max = node.maximum !== undefined && node.maximum < MAX_SAFE ? node.maximum : undefined;
  if (min !== undefined && max !== undefined) out.push(`${min}–${max}`);
  else if (min !== undefined && min > -MAX_SAFE) out.push(`≥ ${min}`);
  else if (max !== undefined) out.push(`≤ ${max}`);
  if (
    node.maxLength !== undefined &&
    !(node.pattern && KNOWN_PATTERNS[node.pattern] === "DNS-1123 label" && node.maxLength === 63)
  )
    out.push(`at most ${node.maxLength} characters`);
  if (node.minLength !== undefined && node.minLength > 0) out.push("not empty");
  if (node.minItems !== undefined && node.minItems > 0) out.push(`at least ${node.minItems}`);
  if (node.maxItems !== undefined) out.push(`at most ${node.maxItems}`);
  return out;
}

function defaultOf(node: JsonSchemaNode): string | undefined {
  const value = node.default;
  if (value === undefined) return undefined;
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    return Object.keys(value).length === 0 ? "`{}`" : undefined; // the children's rows carry their own defaults
  }
  const text = JSON.stringify(value);
  return text.length > 60 ? undefined : `\`${text}\``;
}

/** The discriminator of a union of objects: a property that is a `const` in every variant. */
function discriminatorOf(variants: readonly JsonSchemaNode[]): string | undefined {
  if (variants.length < 2) return undefined;
  const first = variants[0].properties ?? {};
  return Object.keys(first).find((key) =>
    variants.every((variant) => variant.properties?.[key]?.const !== undefined),
  );
}

/** Walks the schema depth-first, one row per key; union variants are merged by path. */
function collectRows(
  node: JsonSchemaNode,
  path: string,
  required: boolean,
  rows: Map<string, RowDraft>,
  variant?: VariantTag,
  isVariant?: "discriminated" | "shape",
): void {
  if (path !== "" && !isVariant) addRow(rows, path, node, required, variant);
  const objectVariants = variantsOf(node).filter((option) => option.properties !== undefined);
  const discriminator = discriminatorOf(objectVariants);
  for (const option of objectVariants) {
    const tag =
      discriminator !== undefined
        ? {
            key: discriminator,
            value: String(option.properties?.[discriminator]?.const),
            of: objectVariants.length,
          }
        : variant;
    collectRows(option, path, required, rows, tag, discriminator !== undefined ? "discriminated" : "shape");
  }
  const childPrefix = path === "" ? "" : `${path}.`;
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    // Within one of several shapes (`{minAvailable}` or `{maxUnavailable}`), a key is required only by its shape.
    const requiredHere = (node.required ?? []).includes(key) && isVariant !== "shape";
    collectRows(child, `${childPrefix}${key}`, requiredHere, rows, variant);
  }
  if (typeof node.additionalProperties === "object" && !isScalar(node.additionalProperties)) {
    collectRows(node.additionalProperties, `${childPrefix}<name>`, false, rows, variant);
  }
  if (node.items && !isScalar(node.items)) collectRows(node.items, `${path}[]`, false, rows, variant);
  for (const option of variantsOf(node)) {
    if (option.items && !isScalar(option.items)) collectRows(option.items, `${path}[]`, false, rows, variant);
  }
}

function isScalar(node: JsonSchemaNode): boolean {
  return (
    node.properties === undefined &&
    node.items === undefined &&
    typeof node.additionalProperties !== "object" &&
    variantsOf(node).every(isScalar)
  );
}

interface VariantTag {
  readonly key: string;
  readonly value: string;
  readonly of: number;
}

interface RowDraft {
  readonly path: string;
  typed: JsonSchemaNode[];
  required: boolean;
  default?: string;
  description?: string;
  discriminator?: string;
  variantCount?: number;
  acceptedBy: Set<string>;
}

function addRow(
  rows: Map<string, RowDraft>,
  path: string,
  node: JsonSchemaNode,
  required: boolean,
  variant?: VariantTag,
): void {
  const row = rows.get(path) ?? { path, typed: [], required, acceptedBy: new Set<string>() };
  rows.set(path, row);
  if (isTyped(node)) {
    row.typed.push(node);
    if (variant) row.acceptedBy.add(variant.value);
  }
  row.required = row.required && required;
  row.default ??= defaultOf(node);
  row.description ??= node.description;
  if (variant) {
    row.discriminator = variant.key;
    row.variantCount = variant.of;
  }
}

function toRow(draft: RowDraft): ConfigKeyRow {
  const types = [...new Set(draft.typed.map(typeOf))];
  const partial =
    draft.discriminator !== undefined &&
    draft.variantCount !== undefined &&
    draft.acceptedBy.size > 0 &&
    draft.acceptedBy.size < draft.variantCount;
  const described = draft.description ?? CONFIG_DESCRIPTIONS[draft.path] ?? "";
  return {
    path: draft.path,
    type: types.length > 0 ? types.join(" \\| ") : "refused",
    required: draft.required,
    ...(draft.default !== undefined ? { default: draft.default } : {}),
    ...(partial ? { onlyWhen: `${draft.discriminator}: ${[...draft.acceptedBy].join(", ")}` } : {}),
    description: described,
  };
}

/** Every key the stack config schema accepts, in schema order. */
export function configKeyRows(configSchema: z.ZodType = stackConfigSchema): ConfigKeyRow[] {
  const schema = z.toJSONSchema(configSchema, {
    io: "input",
    unrepresentable: "any",
    reused: "inline",
  }) as JsonSchemaNode;
  const rows = new Map<string, RowDraft>();
  collectRows(schema, "", true, rows);
  return [...rows.values()].map(toRow);
}

/** Description keys that name no key of the schema: a renamed or removed key left its text behind. */
export function staleDescriptionKeys(rows: readonly ConfigKeyRow[] = configKeyRows()): string[] {
  const paths = new Set(rows.map((row) => row.path));
  return Object.keys(CONFIG_DESCRIPTIONS).filter((path) => !paths.has(path));
}

const cell = (text: string) => text.replace(/\n/g, " ");

/** A baseline value as a reader writes it in YAML flow style: `{min: 1, max: 3}`, `[Warn, Audit]`. */
function flow(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(flow).join(", ")}]`;
  if (typeof value === "object" && value !== null) {
    return `{${Object.entries(value)
      .map(([key, child]) => `${key}: ${flow(child)}`)
      .join(", ")}}`;
  }
  return String(value);
}

/** Each tier's baseline, read from the objects the program resolves a stack with: setting → value per tier. */
export function tierBaselineRows(): { path: string; values: Record<string, string> }[] {
  const tiers = Object.keys(gatewayBaselines) as (keyof typeof gatewayBaselines)[];
  const rows = new Map<string, Record<string, string>>();
  const put = (path: string, tier: string, value: unknown) => {
    if (value === undefined) return;
    const row = rows.get(path) ?? {};
    row[tier] = `\`${flow(value)}\``;
    rows.set(path, row);
  };
  for (const tier of tiers) {
    for (const [key, value] of Object.entries(gatewayBaselines[tier])) put(`gateway.${key}`, tier, value);
    for (const [key, value] of Object.entries(certManagerBaselines[tier]))
      put(`certManager.${key}`, tier, value);
    put("guardrails.validationActions", tier, guardrailActionBaselines[tier]);
    const limits = rateLimitBaselines[tier];
    for (const [key, value] of Object.entries(limits.backstop)) put(`rateLimits.gateway.${key}`, tier, value);
    for (const [key, value] of Object.entries(limits.tenantDefault ?? {})) {
      put(`rateLimits.tenants.<name>.${key}`, tier, value);
    }
    put("breakGlassMaxHours", tier, BREAK_GLASS_MAX_HOURS[tier]);
  }
  return [...rows.entries()].map(([path, values]) => ({ path, values }));
}

function renderTierBaselines(): string[] {
  const rows = tierBaselineRows();
  const tiers = [...new Set(rows.flatMap((row) => Object.keys(row.values)))];
  return [
    "",
    "## Tier baselines",
    "",
    "What `mesh-egress:environment` fills in when the stack leaves a setting out; the stack's own values override",
    "them field by field. `breakGlassMaxHours` can only lower its tier's maximum. A rate-limit row for",
    "`tenants.<name>` is the default of a tenant the stack gives no limit (a tier without one requires a limit",
    "for every tenant with egress).",
    "",
    `| setting | ${tiers.join(" | ")} |`,
    `| --- | ${tiers.map(() => "---").join(" | ")} |`,
    ...rows.map(
      (row) => `| \`${row.path}\` | ${tiers.map((tier) => row.values[tier] ?? "none").join(" | ")} |`,
    ),
  ];
}

/** docs/reference/configuration.md: one section per top-level `mesh-egress:<key>`, one row per nested key. */
export function renderConfigReference(rows: readonly ConfigKeyRow[] = configKeyRows()): string {
  const topLevel = rows.filter((row) => !row.path.includes(".") && !row.path.includes("["));
  const lines = [
    "# Configuration reference",
    "",
    "<!-- Generated by `npm run docs` from the zod schema (stacks/schema.ts) and scripts/docs/config-descriptions.ts. Do not edit. -->",
    "",
    "Every key a stack may set in `Pulumi.<stack>.yaml`, in the `mesh-egress` namespace (`mesh-egress:gateway`, …).",
    "Types, defaults and constraints come from the schema the program validates with; _tier_ means the",
    "environment's baseline fills it ([tier baselines](#tier-baselines)). Every object",
    "is strict: an unknown key is an error. `[]` marks a list entry, `<name>` a key you choose.",
    "",
    ...topLevel.map((row) => `- [\`mesh-egress:${row.path}\`](#mesh-egress${row.path.toLowerCase()})`),
    "- [Tier baselines](#tier-baselines)",
  ];
  for (const top of topLevel) {
    const own = rows.filter(
      (row) =>
        row.path === top.path || row.path.startsWith(`${top.path}.`) || row.path.startsWith(`${top.path}[`),
    );
    lines.push("", `## \`mesh-egress:${top.path}\``, "");
    lines.push(
      `${top.type}${top.required ? ", **required**" : ""}${top.default ? `, default ${top.default}` : ""}. ${cell(top.description)}`.trim(),
    );
    const nested = own.filter((row) => row !== top);
    if (nested.length === 0) continue;
    lines.push("", "| key | type | default | meaning |", "| --- | --- | --- | --- |");
    for (const row of nested) {
      const key = row.path.slice(top.path.length).replace(/^\./, "");
      const meaning = [row.onlyWhen ? `_Only with ${row.onlyWhen}._` : "", cell(row.description)]
        .filter(Boolean)
        .join(" ");
      lines.push(
        `| \`${key}\` | ${row.type}${row.required ? ", required" : ""} | ${row.default ?? ""} | ${meaning} |`,
      );
    }
  }
  lines.push(...renderTierBaselines());
  return `${lines.join("\n")}\n`;
}
