import { Document, isMap, isScalar, isSeq, Node, Scalar, YAMLMap, YAMLSeq } from "yaml";
import { isDeepStrictEqual } from "util";
import type { ConfigIssue } from "../stacks/model/config-error";
import { CONFIG_NAMESPACE } from "../stacks/load-config";

/**
 * Promotion as an edit of YAML documents: the named services (and tenants' grants to them) are
 * copied from the source stack's registry into the target's, leaf by leaf through the `yaml`
 * Document API, so the target's comments, key order and every other key stay as they are. Pure:
 * documents in, documents edited in place and a list of changes out; nothing here reads or writes files.
 */

/** What to promote: named services, named tenants' grants, or everything. */
export interface PromotionSelection {
  readonly services: readonly string[];
  readonly tenants: readonly string[];
  readonly all: boolean;
}

/** Where a document keeps the registry lists: a stack file's `config:` map, or a shared registry file. */
export type RegistryDocumentKind = "stack" | "registry";

/** A parsed file that holds (some of) a stack's services and tenants. */
export interface RegistryDocument {
  /** The file, as shown to people (diff headers, messages). */
  readonly file: string;
  readonly kind: RegistryDocumentKind;
  readonly document: Document;
}

/** One entry of the source registry, with the YAML node to copy. */
export interface SourceEntry {
  readonly json: Record<string, unknown>;
  readonly node: YAMLMap;
  /** The entry's path in its own file, for messages (`registries/dev.yaml: services[2]`). */
  readonly at: string;
}

/** A service to copy and the tenants' grants to it. */
export interface PromotionPlan {
  readonly services: readonly SourceEntry[];
  readonly grants: readonly { readonly tenant: SourceEntry; readonly services: readonly string[] }[];
}

/** What a promotion changed in a target, for the summary and the report. */
export type PromotionChange =
  | {
      readonly kind: "new-destination";
      readonly service: string;
      readonly file: string;
      readonly detail: string;
    }
  | {
      readonly kind: "changed-destination";
      readonly service: string;
      readonly file: string;
      readonly fields: readonly string[];
    }
  | { readonly kind: "new-tenant"; readonly tenant: string; readonly file: string }
  | { readonly kind: "new-grant"; readonly tenant: string; readonly service: string; readonly file: string };

type ListKey = "services" | "tenants";

/** The path of a registry list inside a document of the given kind. */
export function listPath(kind: RegistryDocumentKind, key: ListKey): string[] {
  return kind === "stack" ? ["config", `${CONFIG_NAMESPACE}:${key}`] : [key];
}

/** The entries of a list in the documents, in merge order (shared registry first, then the stack's own). */
export function sourceEntries(documents: readonly RegistryDocument[], key: ListKey): SourceEntry[] {
  return documents.flatMap((doc) => {
    const seq = doc.document.getIn(listPath(doc.kind, key), true);
    if (!isSeq(seq)) return [];
    return seq.items.flatMap((item, i) =>
      isMap(item)
        ? [{ json: item.toJSON() as Record<string, unknown>, node: item, at: `${doc.file}: ${key}[${i}]` }]
        : [],
    );
  });
}

/**
 * Resolves the selection against the source: which services to copy and which grants come with
 * them. Unknown names are issues (bad input), never silently skipped.
 */
export function planPromotion(
  services: readonly SourceEntry[],
  tenants: readonly SourceEntry[],
  selection: PromotionSelection,
  sourceName: string,
): { plan: PromotionPlan } | { issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const serviceByName = new Map(services.map((s) => [String(s.json.name), s]));
  const tenantByNamespace = new Map(tenants.map((t) => [String(t.json.namespace), t]));
  if (!selection.all && selection.services.length === 0 && selection.tenants.length === 0) {
    return {
      issues: [{ path: "", message: "name what to promote: --service NAME, --tenant NAME or --all" }],
    };
  }
  for (const name of selection.services) {
    if (!serviceByName.has(name)) {
      issues.push({
        path: `--service ${name}`,
        message: `service "${name}" is not declared in ${sourceName}; declared services: ${[...serviceByName.keys()].join(", ") || "none"}`,
      });
    }
  }
  for (const namespace of selection.tenants) {
    if (!tenantByNamespace.has(namespace)) {
      issues.push({
        path: `--tenant ${namespace}`,
        message: `tenant "${namespace}" is not declared in ${sourceName}; declared tenants: ${[...tenantByNamespace.keys()].join(", ") || "none"}`,
      });
    }
  }
  if (issues.length > 0) return { issues };

  const allowOf = (tenant: SourceEntry): string[] =>
    Array.isArray(tenant.json.allow) ? tenant.json.allow.map(String) : [];
  const chosenTenants = selection.all
    ? tenants
    : selection.tenants.length > 0
      ? selection.tenants.map((t) => tenantByNamespace.get(t) as SourceEntry)
      : tenants;
  const chosenServices = new Set(
    selection.all
      ? services.map((s) => String(s.json.name))
      : selection.services.length > 0
        ? selection.services
        : chosenTenants.flatMap(allowOf),
  );
  const grants = chosenTenants
    .map((tenant) => ({ tenant, services: allowOf(tenant).filter((s) => chosenServices.has(s)) }))
    .filter((g) => g.services.length > 0 || selection.tenants.includes(String(g.tenant.json.namespace)));
  return {
    plan: {
      services: services.filter((s) => chosenServices.has(String(s.json.name))),
      grants,
    },
  };
}

/** Paths of `{secure: …}` values inside a node: Pulumi secrets encrypted for the source stack only. */
export function securePaths(value: unknown, at: string): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => securePaths(item, `${at}[${i}]`));
  if (typeof value !== "object" || value === null) return [];
  if ("secure" in value) return [at];
  return Object.entries(value).flatMap(([key, item]) => securePaths(item, `${at}.${key}`));
}

/**
 * Applies the plan to the target: each service into the document that already holds it, else into
 * the first (the shared registry when the target has one); each grant likewise for its tenant.
 * Returns what changed; an unchanged target yields no changes and untouched documents.
 */
export function applyPromotion(targets: readonly RegistryDocument[], plan: PromotionPlan): PromotionChange[] {
  const changes: PromotionChange[] = [];
  for (const service of plan.services) {
    const name = String(service.json.name);
    const { doc, seq, item } = locate(targets, "services", "name", name);
    if (!item) {
      seq.items.push(service.node.clone() as YAMLMap);
      changes.push({
        kind: "new-destination",
        service: name,
        file: doc.file,
        detail: describeService(service.json),
      });
      continue;
    }
    const fields = syncMap(item, service.node, "");
    if (fields.length > 0)
      changes.push({ kind: "changed-destination", service: name, file: doc.file, fields });
  }
  for (const grant of plan.grants) {
    const namespace = String(grant.tenant.json.namespace);
    const { doc, seq, item } = locate(targets, "tenants", "namespace", namespace);
    if (!item) {
      const created = doc.document.createNode({
        namespace,
        ...(typeof grant.tenant.json.description === "string"
          ? { description: grant.tenant.json.description }
          : {}),
        allow: [...grant.services],
      }) as YAMLMap;
      (created.get("allow", true) as unknown as YAMLSeq).flow = true;
      seq.items.push(created);
      changes.push({ kind: "new-tenant", tenant: namespace, file: doc.file });
      for (const service of grant.services)
        changes.push({ kind: "new-grant", tenant: namespace, service, file: doc.file });
      continue;
    }
    const existing: unknown = item.get("allow", true);
    const allowSeq = isSeq(existing) ? existing : new YAMLSeq();
    if (!isSeq(existing)) {
      allowSeq.flow = true;
      item.set("allow", allowSeq);
    }
    const granted = new Set(allowSeq.items.map((i) => (isScalar(i) ? String(i.value) : "")));
    for (const service of grant.services) {
      if (granted.has(service)) continue;
      allowSeq.items.push(new Scalar(service));
      changes.push({ kind: "new-grant", tenant: namespace, service, file: doc.file });
    }
  }
  return changes;
}

/** The target document and list that hold an entry, or where a new one goes (the first document). */
function locate(
  targets: readonly RegistryDocument[],
  key: ListKey,
  identity: string,
  id: string,
): { doc: RegistryDocument; seq: YAMLSeq; item?: YAMLMap } {
  for (const doc of targets) {
    const seq = doc.document.getIn(listPath(doc.kind, key), true);
    if (!isSeq(seq)) continue;
    const item = seq.items.find((i): i is YAMLMap => isMap(i) && i.get(identity) === id);
    if (item) return { doc, seq, item };
  }
  const doc = targets[0];
  const path = listPath(doc.kind, key);
  let seq = doc.document.getIn(path, true);
  if (!isSeq(seq)) {
    seq = new YAMLSeq();
    doc.document.setIn(path, seq);
  }
  return { doc, seq: seq as YAMLSeq };
}

/**
 * Makes `target` equal `source` touching only what differs: equal leaves keep their node (and its
 * comments), differing scalars change value in place, other differing values are replaced, keys the
 * source lacks are removed. Returns the paths that changed.
 */
function syncMap(target: YAMLMap, source: YAMLMap, at: string): string[] {
  const changed: string[] = [];
  const sourceKeys = new Set<unknown>();
  for (const pair of source.items) {
    const key = isScalar(pair.key) ? pair.key.value : pair.key;
    sourceKeys.add(key);
    const path = at ? `${at}.${String(key)}` : String(key);
    const current = target.get(key, true) as Node | undefined;
    const wanted = pair.value as Node | null;
    if (current !== undefined && isMap(current) && isMap(wanted)) {
      changed.push(...syncMap(current, wanted, path));
    } else if (current !== undefined && isDeepStrictEqual(toJSON(current), toJSON(wanted))) {
      continue;
    } else if (current !== undefined && isScalar(current) && isScalar(wanted)) {
      current.value = wanted.value;
      changed.push(path);
    } else {
      target.set(key, wanted === null ? null : wanted.clone());
      changed.push(path);
    }
  }
  for (const pair of [...target.items]) {
    const key = isScalar(pair.key) ? pair.key.value : pair.key;
    if (!sourceKeys.has(key)) {
      target.delete(key);
      changed.push(at ? `${at}.${String(key)}` : String(key));
    }
  }
  return changed;
}

function toJSON(node: Node | null | undefined): unknown {
  return node === null || node === undefined ? node : node.toJSON();
}

/** "api.openai.com:443 (originate)" */
export function describeService(json: Record<string, unknown>): string {
  const hosts = Array.isArray(json.hosts) ? json.hosts.join(", ") : "";
  return `${hosts}:${typeof json.port === "number" ? json.port : 443} (${String(json.mode)})`;
}

/** The text of a document as promotion writes it: the project's own style (flow lists unpadded, no folding). */
export function documentText(document: Document): string {
  return document.toString({ lineWidth: 0, flowCollectionPadding: false });
}
