import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "./support/stacks";

interface PackageFiles {
  readonly manifest: { engines: { node: string }; allowScripts?: Record<string, boolean> };
  readonly lock: { packages: Record<string, { hasInstallScript?: boolean }> };
}

function packageFiles(dir: string): PackageFiles {
  const read = (file: string) => JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, dir, file), "utf8"));
  return { manifest: read("package.json"), lock: read("package-lock.json") };
}

/** Package names in a lockfile whose install scripts npm would run (or, from npm 11.19, skip with a warning). */
function withInstallScripts(lock: PackageFiles["lock"]): string[] {
  return Object.entries(lock.packages)
    .filter(([, entry]) => entry.hasInstallScript)
    .map(([key]) => key.slice(key.lastIndexOf("node_modules/") + "node_modules/".length))
    .sort();
}

describe("what npm ci says on a fresh clone", () => {
  it("stops at once on Node < 22: .npmrc sets engine-strict, and package.json's engines says >=22", () => {
    const npmrc = fs.readFileSync(path.join(PROJECT_DIR, ".npmrc"), "utf8");
    assert.match(npmrc, /^engine-strict=true$/m);
    assert.equal(packageFiles(".").manifest.engines.node, ">=22");
  });

  for (const dir of [".", "policy"]) {
    it(`decides every install script in ${dir}/package-lock.json in allowScripts, so npm prints no "not yet covered" warning`, () => {
      const { manifest, lock } = packageFiles(dir);
      const decided = Object.keys(manifest.allowScripts ?? {}).sort();
      assert.deepEqual(decided, withInstallScripts(lock));
    });
  }
});
