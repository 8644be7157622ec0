import * as fs from "node:fs";
import * as path from "node:path";
import { Composer, type Document, isMap, isSeq, LineCounter, Parser, visit } from "yaml";
import type { KubernetesObject } from "../policy/contract";
import { readBoundedFile, TextInputError } from "../stacks/bounded-text";
import { yamlProblem } from "../stacks/yaml-problem";
import { duplicateIdentityProblem } from "./object-identity";

/** Input `mesh-egress lint` cannot use: unreadable, unparsable, or not Kubernetes objects. Exit 2. */
export class ManifestInputError extends Error {}

/** Where an object came from, for messages: "rendered.yaml, document 3". */
export interface SourcedObject {
  readonly object: KubernetesObject;
  readonly source: string;
  /** The file (or `<stdin>`, or the live cluster) it was read from, and the line its mapping starts on in YAML. */
  readonly file?: string;
  readonly line?: number;
}

const MANIFEST_EXTENSIONS = new Set([".yaml", ".yml", ".json"]);
export const STDIN = "-";

/** What a run could read: the objects, and one path-qualified message per input it could not use. */
export interface ManifestReading {
  readonly objects: SourcedObject[];
  readonly problems: string[];
}

/**
 * The most one input may hold: far above a cluster export (a million small objects is ~300 MiB), below
 * V8's longest string, and a stop for endless inputs such as /dev/zero.
 */
export const MAX_INPUT_BYTES = 512 * 1024 * 1024;

/** Aliases one document may expand: a real manifest uses a handful; a "billion laughs" uses millions. */
const MAX_ALIAS_COUNT = 1000;

/**
 * Reads every Kubernetes object from files, directories (recursively: .yaml, .yml, .json) and stdin
 * (`-`). Multi-document YAML and `kind: List` (what `kubectl get -o yaml` prints) are unpacked. An input
 * that cannot be used (unreadable, empty, templated, not YAML, not Kubernetes objects) is reported by name
 * in `problems` and the others are still read.
 */
export async function readManifests(
  inputs: readonly string[],
  readStdin: () => Promise<string>,
  /** Told of every hidden entry (`.git`, `.cache`) a directory walk leaves out, so none is skipped silently. */
  onSkip: (entry: string) => void = () => undefined,
): Promise<ManifestReading> {
  const objects: SourcedObject[] = [];
  const problems: string[] = [];
  let stdinRead = false;
  const attempt = (read: () => SourcedObject[]): void => {
    try {
      // One at a time: `objects.push(...many)` overflows the call stack at ~125k objects.
      for (const object of read()) objects.push(object);
    } catch (e) {
      if (!(e instanceof ManifestInputError)) throw e;
      problems.push(e.message);
    }
  };
  for (const input of inputs) {
    if (input === STDIN) {
      if (stdinRead) throw new ManifestInputError("stdin (-) is named more than once");
      stdinRead = true;
      const text = await readStdin();
      attempt(() => parseManifests(text, "<stdin>", false));
      continue;
    }
    let files: string[] = [];
    attempt(() => {
      files = manifestFiles(input, onSkip);
      return [];
    });
    for (const file of files) {
      attempt(() => parseManifests(readText(file), file, path.extname(file).toLowerCase() === ".json"));
    }
  }
  const duplicate = duplicateIdentityProblem(objects);
  if (duplicate) problems.push(duplicate);
  return { objects, problems };
}

/** Go/Helm template markers: such a file is a chart template, not a manifest, until it is rendered. */
const TEMPLATE_MARKER = /\{\{-?\s|\{\{[.$]/;
/** A template action as a whole line, a plain mapping value or a list item (`{{- if … }}`, `name: {{ .x }}`). */
const TEMPLATE_ACTION_LINE = /^\s*\{\{|:[ \t]+\{\{|^\s*-[ \t]+\{\{/m;

/**
 * An unquoted `{{ … }}` parses as a flow map whose first key is a flow map: that node, not the text, tells a
 * template action from data, so a quoted string folded onto a line that starts with `{{` (kubectl wraps long
 * strings) is data.
 */
function holdsTemplateAction(doc: Document.Parsed, text: string): boolean {
  let found = false;
  visit(doc, (_key, node) => {
    if (isMap(node) && node.flow && node.range && text.startsWith("{{", node.range[0])) {
      found = true;
      return visit.BREAK;
    }
    return undefined;
  });
  return found;
}

/**
 * The manifest files under an input, sorted. Symlinked directories are followed once each (a link
 * back up the tree is a loop, reported, never walked forever); a link that resolves nowhere is an error.
 */
function manifestFiles(input: string, onSkip: (entry: string) => void): string[] {
  const stat = statOf(input);
  if (!stat.isDirectory()) return [input];
  const files: string[] = [];
  const visited = new Set<string>();
  const walk = (dir: string): void => {
    const real = fs.realpathSync(dir);
    if (visited.has(real)) {
      throw new ManifestInputError(
        `${dir}: a symbolic link loop (it leads back to ${real}); remove the link or lint the target`,
      );
    }
    visited.add(real);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      throw new ManifestInputError(
        `${dir}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
      );
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.name.startsWith(".")) {
        onSkip(full);
        continue;
      }
      const isDirectory = entry.isSymbolicLink() ? statOf(full).isDirectory() : entry.isDirectory();
      if (isDirectory) walk(full);
      else if (MANIFEST_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) files.push(full);
    }
    visited.delete(real);
  };
  walk(input);
  if (files.length === 0)
    throw new ManifestInputError(`${input}: directory holds no .yaml, .yml or .json files`);
  return files;
}

function statOf(file: string): fs.Stats {
  try {
    return fs.statSync(file);
  } catch (e) {
    throw new ManifestInputError(
      `${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
    );
  }
}

function readText(file: string): string {
  try {
    return readBoundedFile(file, MAX_INPUT_BYTES);
  } catch (e) {
    if (e instanceof TextInputError) throw new ManifestInputError(`${file}: ${e.message}`);
    throw new ManifestInputError(
      `${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
    );
  }
}

/** Parses one input's text into objects; every problem names the input and the document. */
export function parseManifests(text: string, source: string, json: boolean): SourcedObject[] {
  if (text.trim() === "")
    throw new ManifestInputError(`${source}: holds no Kubernetes objects (it is empty)`);
  // `{{…}}` inside a quoted string (a Grafana legend, say) is data: only an unquoted template action,
  // or markers in text that does not parse, make a chart template.
  const template = () =>
    new ManifestInputError(`${source}: is a template ({{ … }}), not a manifest; render it first`);
  const documents: unknown[] = [];
  /** Per document: the line its mapping starts on, and each `items` entry's line for lists. */
  const lines: { line?: number; items?: (number | undefined)[] }[] = [];
  if (json) {
    if (TEMPLATE_ACTION_LINE.test(text)) throw template();
    try {
      documents.push(JSON.parse(text));
    } catch (e) {
      if (TEMPLATE_MARKER.test(text)) throw template();
      const reason = e instanceof RangeError ? "nested too deeply" : (e as Error).message;
      throw new ManifestInputError(`${source}: not valid JSON (${reason})`);
    }
  } else {
    // Document by document: only the plain objects are kept, never a million documents' syntax trees.
    let index = 0;
    const lineCounter = new LineCounter();
    const lineOf = (node: unknown) => {
      const range = (node as { range?: [number, number, number] } | null)?.range;
      return range ? lineCounter.linePos(range[0]).line : undefined;
    };
    for (const doc of new Composer().compose(new Parser(lineCounter.addNewLine).parse(text), true)) {
      index += 1;
      const error = doc.errors[0];
      if (error && TEMPLATE_MARKER.test(text)) throw template();
      if (error) {
        throw new ManifestInputError(
          `${source}: not valid YAML in document ${index} (${yamlProblem(error)})`,
        );
      }
      if (holdsTemplateAction(doc, text)) throw template();
      const items = isMap(doc.contents) ? doc.contents.get("items", true) : undefined;
      lines.push({
        line: lineOf(doc.contents),
        ...(isSeq(items) ? { items: items.items.map(lineOf) } : {}),
      });
      try {
        documents.push(doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }));
      } catch (e) {
        const reason = yamlProblem(e);
        throw new ManifestInputError(`${source}: not valid YAML in document ${index} (${reason})`);
      }
    }
  }
  const objects: SourcedObject[] = [];
  documents.forEach((document, index) => {
    if (document === null || document === undefined) return; // an empty document between `---` markers
    const where = `${source}, document ${index + 1}`;
    const top = asObject(document, where);
    const at = (line: number | undefined) => ({ file: source, ...(line !== undefined ? { line } : {}) });
    if (isList(top)) {
      top.items.forEach((item, i) =>
        objects.push({
          object: asKubernetesObject(item, `${where}, items[${i}]`),
          source: where,
          ...at(lines[index]?.items?.[i]),
        }),
      );
    } else {
      objects.push({ object: asKubernetesObject(document, where), source: where, ...at(lines[index]?.line) });
    }
  });
  if (objects.length === 0 && !documents.some((d) => d !== null && d !== undefined)) {
    throw new ManifestInputError(`${source}: holds no Kubernetes objects`);
  }
  return objects;
}

/** An IstioOperator as istioctl reads it: a missing name (or metadata) is its default, not a refusal. */
function withIstioctlDefaults(o: Record<string, unknown>): Record<string, unknown> {
  if (
    o.kind !== "IstioOperator" ||
    typeof o.apiVersion !== "string" ||
    !o.apiVersion.startsWith("install.istio.io/")
  )
    return o;
  const metadata = (typeof o.metadata === "object" && o.metadata !== null ? o.metadata : {}) as Record<
    string,
    unknown
  >;
  if (typeof metadata.name === "string" && metadata.name !== "") return o;
  return {
    ...o,
    metadata: {
      ...metadata,
      name: ISTIOCTL_OPERATOR.name,
      namespace: metadata.namespace ?? ISTIOCTL_OPERATOR.namespace,
    },
  };
}

/**
 * `kind: List` (kubectl) or a typed list (`PodList`): items and no name. A custom resource whose kind
 * merely ends in `List` (`AllowList`) has a metadata.name, and is an object.
 */
function isList(top: Record<string, unknown>): top is Record<string, unknown> & { items: unknown[] } {
  const metadata = top.metadata as Record<string, unknown> | undefined;
  const named = typeof metadata === "object" && metadata !== null && metadata.name !== undefined;
  return typeof top.kind === "string" && top.kind.endsWith("List") && Array.isArray(top.items) && !named;
}

function asObject(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ManifestInputError(
      `${where}: not a Kubernetes object (expected a mapping with apiVersion, kind and metadata)`,
    );
  }
  return value as Record<string, unknown>;
}

/** istioctl accepts an IstioOperator without metadata and stores it under this name in istio-system. */
const ISTIOCTL_OPERATOR = { name: "installed-state", namespace: "istio-system" };

function asKubernetesObject(value: unknown, where: string): KubernetesObject {
  const o = withIstioctlDefaults(asObject(value, where));
  const missing = [
    ...(typeof o.apiVersion === "string" && o.apiVersion !== "" ? [] : ["apiVersion"]),
    ...(typeof o.kind === "string" && o.kind !== "" ? [] : ["kind"]),
  ];
  const metadata = o.metadata;
  const name =
    typeof metadata === "object" && metadata !== null
      ? (metadata as Record<string, unknown>).name
      : undefined;
  if (typeof name !== "string" || name === "") missing.push("metadata.name");
  if (missing.length > 0) {
    throw new ManifestInputError(`${where}: not a Kubernetes object (missing ${missing.join(", ")})`);
  }
  return o as unknown as KubernetesObject;
}
