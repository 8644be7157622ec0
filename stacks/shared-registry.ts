import * as path from "path";
import { parseDocument } from "yaml";
import { MAX_STACK_FILE_BYTES, readBoundedFile } from "./bounded-text";
import { ConfigError, ConfigIssue } from "./model/config-error";
import { yamlProblem } from "./yaml-problem";

/**
 * One registry, many clusters: a stack file may name a registry file (`mesh-egress:registry:
 * registries/prod.yaml`) holding the services and tenants several cluster stacks share. The stack's
 * own services and tenants are added after the shared ones; everything else (gateway sizing,
 * control plane, issuers, …) stays per stack. The merged values are validated exactly like a single
 * file, and every issue about a shared entry names the registry file and the entry's own index there.
 */

/** The stack key naming the registry file, relative to the stack file's directory. */
export const REGISTRY_KEY = "registry";

/** The keys a registry file holds; each a list, in the same shape as the stack keys. */
export const SHARED_REGISTRY_KEYS = ["services", "tenants"] as const;
type SharedKey = (typeof SHARED_REGISTRY_KEYS)[number];

/** What identifies an entry across files: services by name, tenants by namespace. */
const IDENTITY: Readonly<Record<SharedKey, string>> = { services: "name", tenants: "namespace" };

/** Reads a file's text; injectable so promotion can validate edits that are not written yet. */
export type ReadText = (file: string) => string;

/** Bounded like a stack file: an endless or binary registry is refused, not read into memory. */
export const readTextFile: ReadText = (file) => readBoundedFile(file, MAX_STACK_FILE_BYTES);

/** Where one entry of a merged list came from. */
interface EntryOrigin {
  /** The registry file as the stack names it, or undefined for the stack's own entries. */
  readonly registry?: string;
  readonly index: number;
}

export interface MergedStackValues {
  /** The `mesh-egress:*` values with the registry merged in and the registry key removed. */
  readonly values: Record<string, unknown>;
  /** The registry file as the stack names it, and resolved; absent when the stack has none. */
  readonly registry?: { readonly reference: string; readonly file: string };
  /** The same error, each issue's path pointing at the file and index where the entry is written. */
  locate(error: ConfigError): ConfigError;
}

/** The registry file a stack's values reference, resolved against `baseDir`; undefined when none. */
export function registryReference(
  values: Record<string, unknown>,
  baseDir: string,
): { reference: string; file: string } | undefined {
  const reference = values[REGISTRY_KEY];
  if (typeof reference !== "string") return undefined;
  return { reference, file: path.resolve(baseDir, reference) };
}

/** Parses a registry file's text into its lists; throws ConfigError naming the file on any problem. */
export function parseRegistryText(text: string, reference: string): Record<SharedKey, unknown[]> {
  let document: unknown;
  try {
    // logLevel "error": a warning is refused below, never printed as a raw `(node:PID)` line.
    const doc = parseDocument(text, { logLevel: "error", uniqueKeys: true });
    const problem = doc.errors[0] ?? doc.warnings[0];
    if (problem) throw problem;
    document = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new ConfigError(reference, [{ path: "", message: `not valid YAML: ${yamlProblem(err)}` }]);
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    throw new ConfigError(reference, [
      { path: "", message: "a registry file is a map with `services:` and `tenants:` lists" },
    ]);
  }
  const issues: ConfigIssue[] = [];
  const lists = { services: [], tenants: [] } as Record<SharedKey, unknown[]>;
  for (const [key, value] of Object.entries(document)) {
    if (!(SHARED_REGISTRY_KEYS as readonly string[]).includes(key)) {
      issues.push({
        path: key,
        message: `unknown key "${key}": a registry file holds only ${SHARED_REGISTRY_KEYS.join(" and ")}; per-cluster settings belong in the stack file`,
      });
    } else if (!Array.isArray(value)) {
      issues.push({ path: key, message: "must be a list" });
    } else {
      lists[key as SharedKey] = value;
    }
  }
  if (issues.length > 0) throw new ConfigError(reference, issues);
  return lists;
}

/**
 * Merges the registry file a stack references under the stack's own keys. Problems with the
 * reference itself (unreadable file, bad YAML, an entry declared in both files) throw ConfigError
 * at once; everything else is left to validation, whose errors `locate` maps back to the files.
 */
export function mergeSharedRegistry(
  values: Record<string, unknown>,
  source: string,
  baseDir: string,
  read: ReadText = readTextFile,
): MergedStackValues {
  if (!(REGISTRY_KEY in values)) return { values, locate: (error) => error };
  const { [REGISTRY_KEY]: reference, ...own } = values;
  if (typeof reference !== "string" || reference.length === 0) {
    throw new ConfigError(source, [
      { path: REGISTRY_KEY, message: "must be the path of a registry file, relative to the stack file" },
    ]);
  }
  const file = path.resolve(baseDir, reference);
  let text: string;
  try {
    text = read(file);
  } catch (err) {
    throw new ConfigError(source, [
      { path: REGISTRY_KEY, message: `cannot read registry file ${reference}: ${(err as Error).message}` },
    ]);
  }
  const shared = parseRegistryText(text, reference);

  const merged: Record<string, unknown> = { ...own };
  const origins = {} as Record<SharedKey, EntryOrigin[]>;
  const conflicts: ConfigIssue[] = [];
  for (const key of SHARED_REGISTRY_KEYS) {
    const ownList = own[key];
    if (ownList !== undefined && !Array.isArray(ownList)) {
      // Not a list: leave the stack's value alone and let validation say so, at the stack's own path.
      origins[key] = [];
      continue;
    }
    const stackEntries = (ownList as unknown[] | undefined) ?? [];
    const sharedIds = new Map(shared[key].map((entry, i) => [identityOf(entry, key), i] as const));
    stackEntries.forEach((entry, i) => {
      const id = identityOf(entry, key);
      const sharedIndex = id === undefined ? undefined : sharedIds.get(id);
      if (sharedIndex !== undefined) {
        conflicts.push({
          path: `${key}[${i}].${IDENTITY[key]}`,
          message: `"${id}" is already declared in the shared registry ${reference} (${key}[${sharedIndex}]): change it there, or give this cluster's own entry another ${IDENTITY[key]}`,
        });
      }
    });
    merged[key] = [...shared[key], ...stackEntries];
    origins[key] = [
      ...shared[key].map((_, index) => ({ registry: reference, index })),
      ...stackEntries.map((_, index) => ({ index })),
    ];
  }
  if (conflicts.length > 0) throw new ConfigError(source, conflicts);

  const locateIssue = (issue: ConfigIssue): ConfigIssue => {
    const match = /^(services|tenants)\[(\d+)\](.*)$/.exec(issue.path);
    const origin = match ? origins[match[1] as SharedKey][Number(match[2])] : undefined;
    if (!match || !origin) return issue;
    const located = `${match[1]}[${origin.index}]${match[3]}`;
    return { ...issue, path: origin.registry ? `${origin.registry}: ${located}` : located };
  };
  return {
    values: merged,
    registry: { reference, file },
    locate: (error) => new ConfigError(error.source, error.issues.map(locateIssue)),
  };
}

function identityOf(entry: unknown, key: SharedKey): string | undefined {
  if (typeof entry !== "object" || entry === null) return undefined;
  const id = (entry as Record<string, unknown>)[IDENTITY[key]];
  return typeof id === "string" ? id : undefined;
}
