import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseManifests } from "../cli/read-manifests";
import { evaluate } from "../policy/engine/evaluate";

/**
 * Upstream's own egress examples (istio/istio.io egress tasks, istio/istio samples and test data), each with
 * the findings an Istio security reviewer expects: `<fixture>.findings` lists them as
 * "<rule> <Kind> <namespace or ->/<name>", one a line. Lint must find exactly those.
 */
const CORPUS = path.join(__dirname, "fixtures", "lint-corpus");
const fixtures = fs
  .readdirSync(CORPUS)
  .filter((f) => f.endsWith(".yaml"))
  .sort();

function expected(fixture: string): string[] {
  const text = fs.readFileSync(path.join(CORPUS, fixture.replace(/\.yaml$/, ".findings")), "utf8");
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "")
    .sort();
}

function found(fixture: string): string[] {
  const file = path.join(CORPUS, fixture);
  const objects = parseManifests(fs.readFileSync(file, "utf8"), file, false).map((o) => o.object);
  const lines = evaluate(objects).findings.map((f) => `${f.rule} ${f.kind} ${f.namespace ?? "-"}/${f.name}`);
  return [...new Set(lines)].sort();
}

describe("lint on upstream's own egress examples", () => {
  it("holds a reviewable corpus: 15 to 30 fixtures, each naming its upstream source", () => {
    assert.ok(fixtures.length >= 15 && fixtures.length <= 30, `${fixtures.length} fixtures`);
    for (const f of fixtures) {
      assert.match(fs.readFileSync(path.join(CORPUS, f), "utf8"), /^# Source: istio\/istio(\.io)?[ ,]/, f);
    }
  });

  for (const fixture of fixtures) {
    it(`finds exactly the reviewed weaknesses of ${fixture}`, () => {
      assert.deepEqual(found(fixture), expected(fixture));
    });
  }
});
