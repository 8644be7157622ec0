import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseCircular, parseDependencyTree } from "dpdm";
import { PROJECT_DIR } from "./support/stacks";

/** Every TypeScript file of the repository, outside installed packages and the compiled CLI. */
const SOURCES = ["index.ts", "{components,stacks,cli,policy,scripts,bench,test}/**/*.ts"];

/**
 * The import circles among `files` under `cwd`, type-only imports included (`transform: false` keeps
 * `import type` edges): a type circle still means two modules that cannot be read apart.
 */
async function importCircles(files: readonly string[], cwd: string): Promise<string[][]> {
  const tree = await parseDependencyTree([...files], {
    cwd,
    context: cwd,
    transform: false,
    skipDynamicImports: false,
    exclude: /node_modules/,
  });
  return parseCircular(tree);
}

describe("import circles", () => {
  it("finds a circle made only of type imports (the check can fail)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-cycle-"));
    try {
      fs.writeFileSync(
        path.join(dir, "a.ts"),
        'import type { B } from "./b";\nexport interface A { b?: B }\n',
      );
      fs.writeFileSync(
        path.join(dir, "b.ts"),
        'import type { A } from "./a";\nexport interface B { a?: A }\n',
      );
      const circles = await importCircles(["*.ts"], dir);
      assert.deepEqual(
        circles.map((circle) => [...circle].sort()),
        [["a.ts", "b.ts"]],
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("has no import circle anywhere in the repository's TypeScript, type-only imports included", async () => {
    const circles = await importCircles(SOURCES, PROJECT_DIR);
    assert.deepEqual(
      circles.map((circle) => [...circle, circle[0]].join(" → ")),
      [],
      "each line is a circle: move the shared part into a module both import, below them",
    );
  });
});
