import { strict as assert } from "assert";
import { anchorsOf, brokenLinks, documentationFiles, headingSlug } from "../scripts/docs/markdown-links";
import { PROJECT_DIR } from "../scripts/docs/generated-pages";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

describe("documentation links", () => {
  it("resolves every relative link and anchor of README.md, CONTRIBUTING.md, CHANGELOG.md, policy/README.md and docs/", () => {
    const files = documentationFiles(PROJECT_DIR);
    assert.ok(files.includes("README.md") && files.some((file) => file.startsWith("docs")), files.join(", "));
    const broken = brokenLinks(PROJECT_DIR, files);
    assert.deepEqual(
      broken.map((link) => `${link.file}:${link.line}: (${link.target}) ${link.problem}`),
      [],
    );
  });

  it("keeps the README an entry page: under 12 KB, with a table of contents", () => {
    const readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
    assert.ok(
      Buffer.byteLength(readme) <= 12 * 1024,
      `README.md is ${Buffer.byteLength(readme)} bytes: move detail to docs/`,
    );
    assert.match(readme, /\n## Contents\n/);
  });

  it("slugs headings as GitHub does", () => {
    assert.equal(headingSlug("`mesh-egress:services` (list)"), "mesh-egressservices-list");
    assert.equal(
      headingSlug("Rate limits: what Envoy enforces, and where"),
      "rate-limits-what-envoy-enforces-and-where",
    );
    assert.deepEqual([...anchorsOf("# A\n\n## A\n```\n# not a heading\n```\n")], ["a", "a-1"]);
  });

  it("reports a missing file and a missing anchor", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "docs-links-"));
    try {
      fs.writeFileSync(
        path.join(dir, "a.md"),
        "# Title\n\n[ok](#title) [gone](b.md) [bad](#nope) `[code](c.md)`\n",
      );
      const broken = brokenLinks(dir, ["a.md"]);
      assert.deepEqual(
        broken.map((link) => link.target),
        ["b.md", "#nope"],
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
