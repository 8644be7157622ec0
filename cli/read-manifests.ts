import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import type { KubernetesObject } from "../policy/contract";

/** Input `mesh-egress lint` cannot use: unreadable, unparsable, or not Kubernetes objects. Exit 2. */
export class ManifestInputError extends Error {}

/** Where an object came from, for messages: "rendered.yaml, document 3". */
export interface SourcedObject {
  readonly object: KubernetesObject;
  readonly source: string;
}

const MANIFEST_EXTENSIONS = new Set([".yaml", ".yml", ".json"]);
export const STDIN = "-";

/** What a run could read: the objects, and one path-qualified message per input it could not use. */
export interface ManifestReading {
  readonly objects: SourcedObject[];
  readonly problems: string[];
}

/**
 * Reads every Kubernetes object from files, directories (recursively: .yaml, .yml, .json) and stdin
 * (`-`). Multi-document YAML and `kind: List` (what `kubectl get -o yaml` prints) are unpacked. An input
 * that cannot be used (unreadable, empty, templated, not YAML, not Kubernetes objects) is reported by name
 * in `problems` and the others are still read.
 */
export async function readManifests(
  inputs: readonly string[],
  readStdin: () => Promise<string>,
): Promise<ManifestReading> {
  const objects: SourcedObject[] = [];
  const problems: string[] = [];
  let stdinRead = false;
  const attempt = (read: () => SourcedObject[]): void => {
    try {
      objects.push(...read());
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
      files = manifestFiles(input);
      return [];
    });
    for (const file of files) {
      attempt(() => parseManifests(readText(file), file, path.extname(file).toLowerCase() === ".json"));
    }
  }
  return { objects, problems };
}

/** Go/Helm template markers: such a file is a chart template, not a manifest, until it is rendered. */
const TEMPLATE_MARKER = /\{\{-?\s|\{\{[.$]/;
/** A template action as a whole line, a plain mapping value or a list item (`{{- if … }}`, `name: {{ .x }}`). */
const TEMPLATE_ACTION_LINE = /^\s*\{\{|:[ \t]+\{\{|^\s*-[ \t]+\{\{/m;

function manifestFiles(input: string): string[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(input);
  } catch (e) {
    throw new ManifestInputError(
      `${input}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
    );
  }
  if (!stat.isDirectory()) return [input];
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs
      .readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith(".")) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (MANIFEST_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) files.push(full);
    }
  };
  walk(input);
  if (files.length === 0)
    throw new ManifestInputError(`${input}: directory holds no .yaml, .yml or .json files`);
  return files;
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (e) {
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
  if (TEMPLATE_ACTION_LINE.test(text)) throw template();
  const documents: unknown[] = [];
  if (json) {
    try {
      documents.push(JSON.parse(text));
    } catch (e) {
      if (TEMPLATE_MARKER.test(text)) throw template();
      throw new ManifestInputError(`${source}: not valid JSON (${(e as Error).message})`);
    }
  } else {
    for (const doc of parseAllDocuments(text)) {
      const error = doc.errors[0];
      if (error && TEMPLATE_MARKER.test(text)) throw template();
      if (error) throw new ManifestInputError(`${source}: not valid YAML (${error.message.split("\n")[0]})`);
      documents.push(doc.toJS());
    }
  }
  const objects: SourcedObject[] = [];
  documents.forEach((document, index) => {
    if (document === null || document === undefined) return; // an empty document between `---` markers
    const where = `${source}, document ${index + 1}`;
    const top = asObject(document, where);
    if (typeof top.kind === "string" && top.kind.endsWith("List") && Array.isArray(top.items)) {
      top.items.forEach((item, i) =>
        objects.push({ object: asKubernetesObject(item, `${where}, items[${i}]`), source: where }),
      );
    } else {
      objects.push({ object: asKubernetesObject(document, where), source: where });
    }
  });
  if (objects.length === 0 && !documents.some((d) => d !== null && d !== undefined)) {
    throw new ManifestInputError(`${source}: holds no Kubernetes objects`);
  }
  return objects;
}

function asObject(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ManifestInputError(
      `${where}: not a Kubernetes object (expected a mapping with apiVersion, kind and metadata)`,
    );
  }
  return value as Record<string, unknown>;
}

function asKubernetesObject(value: unknown, where: string): KubernetesObject {
  const o = asObject(value, where);
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
