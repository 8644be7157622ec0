import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { routingModes } from "../stacks/routing-modes";
import { PROJECT_DIR } from "./support/stacks";

/** The one file that may name a routing mode to decide something: the table of their traits. */
const MODE_TABLE = "stacks/routing-modes.ts";

/** The program, the CLI, the pack, the scripts and the benches; tests may name modes to build cases. */
const ROOTS = ["index.ts", "components", "stacks", "cli", "policy", "scripts", "bench"];

const names = routingModes.map((mode) => mode.replace(/[-]/g, "\\-")).join("|");
/** `x === "originate"`, `"originate" !== x`, `case "originate":`: a decision taken on a mode's name. */
const COMPARISON = new RegExp(
  `(?:[!=]==?\\s*["'](?:${names})["'])|(?:["'](?:${names})["']\\s*[!=]==?)|(?:case\\s+["'](?:${names})["']\\s*:)`,
);

function typescriptFiles(entry: string): string[] {
  const full = path.join(PROJECT_DIR, entry);
  if (!fs.existsSync(full)) return [];
  if (fs.statSync(full).isFile()) return entry.endsWith(".ts") ? [entry] : [];
  return fs
    .readdirSync(full)
    .filter((name) => name !== "node_modules" && name !== "test")
    .flatMap((name) => typescriptFiles(path.join(entry, name)));
}

/** Every `file:line` outside the mode table that compares a routing mode by its name. */
function modeNameComparisons(files: readonly string[]): string[] {
  return files
    .filter((file) => file !== MODE_TABLE)
    .flatMap((file) =>
      fs
        .readFileSync(path.join(PROJECT_DIR, file), "utf8")
        .split("\n")
        .flatMap((text, i) => (COMPARISON.test(text) ? [`${file}:${i + 1}: ${text.trim()}`] : [])),
    );
}

describe("routing modes are told apart by their traits, never by name", () => {
  it("recognises a comparison by name in each of its forms (the check can fail)", () => {
    for (const text of [
      'if (service.mode === "passthrough") {',
      'return "originate-mutual" !== mode;',
      '    case "passthrough-mtls":',
    ]) {
      assert.ok(COMPARISON.test(text), text);
    }
    assert.ok(!COMPARISON.test('const tls = { mode: "PASSTHROUGH" };'));
    assert.ok(!COMPARISON.test('if (traits.origination === "none") {'));
  });

  it(`compares no mode by name outside ${MODE_TABLE}: a new mode is a row of the table and a list of compile errors`, () => {
    assert.deepEqual(
      modeNameComparisons(ROOTS.flatMap(typescriptFiles)),
      [],
      `read the trait from ${MODE_TABLE} (traitsOf, modesWhere) instead, adding the trait if it is missing`,
    );
  });
});
