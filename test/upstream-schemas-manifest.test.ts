import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describeWithUpstreamSchemas } from "./support/describe-with-upstream-schemas";
import { PROJECT_DIR } from "./support/stacks";

const SCRIPT = path.join(PROJECT_DIR, "scripts", "fetch-upstream-schemas.sh");

interface ManifestRow {
  readonly file: string;
  readonly sha256: string;
  readonly url: URL;
}

function manifest(): ManifestRow[] {
  return fs
    .readFileSync(path.join(PROJECT_DIR, "scripts", "upstream-schemas.tsv"), "utf8")
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const [file, sha256, url] = line.split("\t");
      return { file, sha256, url: new URL(url) };
    });
}

/** Files a schemas directory holds for the suite: its provenance notes and licence texts are not fetched. */
function schemaFiles(dir: string, sub = ""): string[] {
  return fs.readdirSync(path.join(dir, sub), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.posix.join(sub, entry.name);
    if (entry.isDirectory()) return entry.name === "LICENSES" ? [] : schemaFiles(dir, rel);
    return entry.name === "PROVENANCE.md" ? [] : [rel];
  });
}

describe("scripts/upstream-schemas.tsv, the manifest fetch-upstream-schemas.sh downloads", () => {
  it("names each file once, with a sha256 and a GitHub raw URL at a tag or a full commit", () => {
    const rows = manifest();
    assert.ok(rows.length > 0);
    assert.equal(new Set(rows.map((r) => r.file)).size, rows.length);
    for (const row of rows) {
      assert.match(row.sha256, /^[0-9a-f]{64}$/, row.file);
      assert.equal(row.url.host, "raw.githubusercontent.com", row.file);
      const ref = row.url.pathname.split("/")[3];
      assert.match(
        ref,
        /^(v?\d+\.\d+\.\d+|[0-9a-f]{40})$/,
        `${row.file} is fetched at a pinned ref, not ${ref}`,
      );
    }
  });

  it("exits 2 with its usage when no directory is given", () => {
    const result = spawnSync("bash", [SCRIPT], { encoding: "utf8" });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /usage: .*fetch-upstream-schemas\.sh \[--verify\] DIR/);
  });
});

describeWithUpstreamSchemas("scripts/upstream-schemas.tsv against the schemas directory", (schemasDir) => {
  it("lists exactly the directory's schema files", () => {
    assert.deepEqual(
      manifest()
        .map((r) => r.file)
        .sort(),
      schemaFiles(schemasDir).sort(),
    );
  });

  it("fetches each file from a repository and tag (or commit) its PROVENANCE.md names", function () {
    const provenance = ["PROVENANCE.md", "envoy-api-1.38/PROVENANCE.md"]
      .map((file) => path.join(schemasDir, file))
      .filter((file) => fs.existsSync(file))
      .map((file) => fs.readFileSync(file, "utf8"))
      .join("\n");
    if (provenance === "") this.skip(); // a directory the script assembled carries no provenance notes
    for (const row of manifest()) {
      const [, owner, repo, ref] = row.url.pathname.split("/");
      assert.ok(
        provenance.includes(`${owner}/${repo}`),
        `${row.file}: ${owner}/${repo} not in PROVENANCE.md`,
      );
      assert.ok(provenance.includes(ref), `${row.file}: ref ${ref} not in PROVENANCE.md`);
    }
  });

  it("verifies the directory with the script's --verify, and fails an empty one", () => {
    const good = spawnSync("bash", [SCRIPT, "--verify", schemasDir], { encoding: "utf8" });
    assert.equal(good.status, 0, good.stderr);
    assert.match(good.stdout, new RegExp(`${manifest().length} files verified`));
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-schemas-"));
    const bad = spawnSync("bash", [SCRIPT, "--verify", empty], { encoding: "utf8" });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /does not match/);
  });
});
