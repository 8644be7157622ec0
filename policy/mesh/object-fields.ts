import { ANY_LABEL_VALUE, KubernetesObject, ObjectKind } from "../contract";

/**
 * Reading untyped objects without crashing: manifests come from YAML anyone wrote, and at
 * `pulumi preview` from CrossGuard's proxies. Every accessor returns an empty value instead of
 * throwing on a missing or mistyped field, so a rule sees "absent" and reports it.
 */
export type Fields = Readonly<Record<string, unknown>>;

export function isFields(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function fields(value: unknown): Fields {
  return isFields(value) ? value : {};
}

export function list(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

export function fieldsList(value: unknown): Fields[] {
  return list(value).filter(isFields);
}

export function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** Strings of a list; numbers are kept as their decimal text (ports are often written either way). */
export function texts(value: unknown): string[] {
  return list(value)
    .filter((v) => typeof v === "string" || typeof v === "number")
    .map((v) => String(v));
}

export function integer(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

/** A label or selector map; booleans and numbers become their text, as YAML may have typed them. */
export function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields(value))) {
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[k] = String(v);
  }
  return out;
}

/** Follows a path of keys through nested objects; undefined as soon as one is missing. */
export function dig(value: unknown, ...keys: string[]): unknown {
  let current: unknown = value;
  for (const key of keys) {
    if (!isFields(current)) return undefined;
    current = current[key];
  }
  return current;
}

export function specOf(object: KubernetesObject): Fields {
  return fields(object.spec);
}

export function labelsOf(object: KubernetesObject): Record<string, string> {
  return stringMap(object.metadata?.labels);
}

export function annotationsOf(object: KubernetesObject): Record<string, string> {
  return stringMap(object.metadata?.annotations);
}

export function nameOf(object: KubernetesObject): string {
  return text(object.metadata?.name) ?? "<unnamed>";
}

export function namespaceOf(object: KubernetesObject): string | undefined {
  return text(object.metadata?.namespace);
}

/** "networking.istio.io/v1" → "networking.istio.io"; "v1" → "" (the core group). */
export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.lastIndexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

export function isKind(object: KubernetesObject, kind: ObjectKind): boolean {
  return object.kind === kind.kind && apiGroup(String(object.apiVersion ?? "")) === kind.group;
}

/** The objects of one input grouped by "<group>/<kind>", built once per input so every lookup is O(1). */
interface KindIndex {
  readonly length: number;
  readonly last: KubernetesObject | undefined;
  readonly byKind: Map<string, KubernetesObject[]>;
}

const kindIndexes = new WeakMap<readonly KubernetesObject[], KindIndex>();

const kindKey = (group: string, kind: string): string => `${group}/${kind}`;

function kindIndex(objects: readonly KubernetesObject[]): KindIndex {
  const cached = kindIndexes.get(objects);
  // An input grown or replaced since it was indexed is indexed again.
  if (cached && cached.length === objects.length && cached.last === objects[objects.length - 1])
    return cached;
  const byKind = new Map<string, KubernetesObject[]>();
  for (const o of objects) {
    const key = kindKey(apiGroup(String(o.apiVersion ?? "")), String(o.kind));
    const bucket = byKind.get(key);
    if (bucket) bucket.push(o);
    else byKind.set(key, [o]);
  }
  const index = { length: objects.length, last: objects[objects.length - 1], byKind };
  kindIndexes.set(objects, index);
  return index;
}

/** The objects of a kind, in input order; one pass over the input indexes every kind. */
export function ofKind(objects: readonly KubernetesObject[], kind: ObjectKind): KubernetesObject[] {
  return kindIndex(objects).byKind.get(kindKey(kind.group, kind.kind)) ?? [];
}

/** Objects grouped by namespace ("" for none), for rules that look a namespace's objects up per tenant. */
export function byNamespace(objects: readonly KubernetesObject[]): Map<string, KubernetesObject[]> {
  const out = new Map<string, KubernetesObject[]>();
  for (const o of objects) {
    const ns = namespaceOf(o) ?? "";
    const bucket = out.get(ns);
    if (bucket) bucket.push(o);
    else out.set(ns, [o]);
  }
  return out;
}

/**
 * Whether a label selector (a plain map, or `{matchLabels}`) picks pods carrying `labels`; a label whose
 * value is ANY_LABEL_VALUE matches any value. An empty selector selects nothing here: every caller treats
 * "no selector" on its own terms.
 */
export function selectorMatches(selector: unknown, labels: Readonly<Record<string, string>>): boolean {
  const wanted = selectorLabels(selector);
  const entries = Object.entries(wanted);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v || labels[k] === ANY_LABEL_VALUE);
}

export function selectorLabels(selector: unknown): Record<string, string> {
  const s = fields(selector);
  return "matchLabels" in s ? stringMap(s.matchLabels) : stringMap(s);
}

/** Whether a Kubernetes LabelSelector (matchLabels and matchExpressions) is empty: it selects every pod. */
export function isEmptyLabelSelector(selector: unknown): boolean {
  const s = fields(selector);
  return Object.keys(stringMap(s.matchLabels)).length === 0 && list(s.matchExpressions).length === 0;
}

/** An Istio host reference "ns/host" split in two; a bare host has no namespace part. */
export function splitNamespacedHost(value: string): { namespace?: string; host: string } {
  const slash = value.indexOf("/");
  return slash < 0 ? { host: value } : { namespace: value.slice(0, slash), host: value.slice(slash + 1) };
}
