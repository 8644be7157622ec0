import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { consoleBlocks, matches, runBlock, updatedExpectation } from "../scripts/docs/console-blocks";
import { PROJECT_DIR } from "../scripts/docs/generated-pages";
import { documentationFiles } from "../scripts/docs/markdown-links";
import { compiledCliMain } from "./support/compiled-cli";

describe("console blocks in the docs", function () {
  // Each block runs the real CLI in a child process (a few seconds a command).
  this.timeout(180000);

  describe("matching, with explicit elisions", () => {
    it("matches exact lines, `…` as any lines, and `text…` as one line starting with text", () => {
      assert.ok(matches(["a", "…", "d"], ["a", "b", "c", "d"]));
      assert.ok(matches(["a", "…", "d"], ["a", "d"]));
      assert.ok(matches(["Fix: …"], ["Fix: set the mode"]));
      assert.ok(!matches(["a", "d"], ["a", "b", "d"]), "nothing is elided without a marker");
      assert.ok(!matches(["Fix: …"], ["Fix: one", "Fix: two"]), "a trimmed line stands for one line");
      assert.ok(!matches(["Linted 56 object(s)"], ["Linted 78 object(s)"]));
    });

    it("rewrites an expectation for new output, keeping the elisions that still apply", () => {
      assert.deepEqual(
        updatedExpectation(
          ["Linted 56 object(s)", "…", "Fix: …", "2 violations"],
          ["Linted 78 object(s)", "x", "y", "Fix: z", "2 violations"],
        ),
        ["Linted 78 object(s)", "…", "Fix: …", "2 violations"],
      );
      assert.deepEqual(updatedExpectation(["a", "c"], ["a", "b", "c"]), ["a", "b", "c"]);
      assert.deepEqual(updatedExpectation(["a", "gone", "c"], ["a", "c"]), ["a", "c"]);
    });
  });

  const blocks = documentationFiles(PROJECT_DIR).flatMap((file) =>
    consoleBlocks(file, fs.readFileSync(path.join(PROJECT_DIR, file), "utf8")),
  );

  it("finds the console blocks of README.md and docs/", () => {
    assert.ok(
      blocks.some((block) => block.file === "README.md"),
      "README.md shows real output",
    );
  });

  describe("each block", () => {
    // The blocks run `npx mesh-egress`, i.e. dist/: a stale build would show yesterday's output.
    before(() => compiledCliMain());

    for (const block of blocks) {
      it(`${block.file}:${block.line} prints what it shows (else check the change, then run \`npm run docs\`)`, async () => {
        const outputs = await runBlock(block, PROJECT_DIR);
        block.steps.forEach((step, i) => {
          const actual = outputs[i] ?? [];
          assert.ok(
            matches(step.expected, actual),
            `${block.file}:${block.line}: \`${step.command}\` printed:\n${actual.join("\n")}\n\nthe docs show:\n${step.expected.join("\n")}`,
          );
        });
      });
    }
  });
});
