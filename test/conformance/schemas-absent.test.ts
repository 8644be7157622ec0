import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { fixturePath } from "../support/conformance-fixtures";
import { locateUpstreamSchemas } from "../support/upstream-schemas";

const REPO_ROOT = path.resolve(__dirname, "..", "..");

describe("finding the upstream schemas", () => {
  it("uses MESH_EGRESS_SCHEMAS when it names a directory", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "schemas-"));
    try {
      assert.equal(locateUpstreamSchemas({ env: { MESH_EGRESS_SCHEMAS: dir } }), dir);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });

  it("finds nothing when MESH_EGRESS_SCHEMAS names a missing directory, without falling back", () => {
    assert.equal(locateUpstreamSchemas({ env: { MESH_EGRESS_SCHEMAS: "/nonexistent/schemas" } }), undefined);
  });

  it("falls back to ../shared/upstream beside the repository, and finds nothing when that is absent", () => {
    assert.equal(locateUpstreamSchemas({ env: {}, repoRoot: "/nonexistent/repo" }), undefined);
  });

  it("reports a suite that needs them as one pending SKIPPED test, never as passed, when they are absent", () => {
    const mocha = require.resolve("mocha/bin/mocha.js", { paths: [REPO_ROOT] });
    const probe = fixturePath("schemas-absent-probe.ts");
    const args = [
      mocha,
      "--no-config",
      "--require",
      "ts-node/register/transpile-only",
      "--reporter",
      "json",
      probe,
    ];
    const run = spawnSync(process.execPath, args, {
      cwd: REPO_ROOT,
      encoding: "utf8",
      env: { ...process.env, MESH_EGRESS_SCHEMAS: "/nonexistent/schemas" },
    });
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout) as {
      stats: { passes: number; pending: number };
      pending: { title: string }[];
    };
    assert.deepEqual([report.stats.passes, report.stats.pending], [0, 1]);
    assert.equal(
      report.pending[0].title,
      "SKIPPED: upstream schemas not found at /nonexistent/schemas (set MESH_EGRESS_SCHEMAS)",
    );
  });
});
