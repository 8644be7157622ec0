import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";

/** A Kubernetes object as a test builds and mutates it. */
export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: Record<string, unknown>;
  [field: string]: any;
};

const FIXTURES_DIR = path.resolve(__dirname, "..", "fixtures", "conformance");

/** Every document of a multi-document YAML file under test/fixtures/conformance. */
export function loadFixtureManifests(file: string): Manifest[] {
  const text = fs.readFileSync(path.join(FIXTURES_DIR, file), "utf8");
  return YAML.parseAllDocuments(text).map((document) => document.toJS() as Manifest);
}

/** The one document of that kind in the fixture file (throws if there is not exactly one). */
export function fixtureManifest(file: string, kind: string, name?: string): Manifest {
  const matches = loadFixtureManifests(file).filter(
    (m) => m.kind === kind && (name === undefined || m.metadata.name === name),
  );
  if (matches.length !== 1)
    throw new Error(`${file}: expected one ${kind}${name ? ` ${name}` : ""}, found ${matches.length}`);
  return matches[0];
}

/** A deep copy of `manifest` changed by `change`: the compliant sample with exactly one thing broken. */
export function mutated(manifest: Manifest, change: (copy: Manifest) => void): Manifest {
  const copy = structuredClone(manifest);
  change(copy);
  return copy;
}

/** The absolute path of a fixture file or directory. */
export function fixturePath(...segments: string[]): string {
  return path.join(FIXTURES_DIR, ...segments);
}
