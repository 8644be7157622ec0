import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runCli } from "./support/run-cli";
import { UNSEEN_STACK_FILE } from "./support/stacks";

const NOW = "2026-11-29T12:00:00Z";

/** The unseen stack with an active `direct` entry for ci and a `grant` that expired an hour ago. */
const ENTRIES = `
  mesh-egress:guardrails:
    breakGlassRequesters: [system:serviceaccount:platform:pulumi-deployer]
  mesh-egress:breakGlass:
    - id: ci-outage
      reason: egress gateway down
      ticket: INC-4711
      approvedBy: oncall-lead@example.com
      expiresAt: "2026-11-29T18:00:00Z"
      scope: {direct: {tenants: [ci]}}
    - id: github-for-notifications
      reason: release notes bot
      ticket: CHG-17
      approvedBy: platform-lead@example.com
      expiresAt: "2026-11-29T11:00:00Z"
      scope: {grant: {tenant: notifications, service: github}}
`;

describe("break-glass on the command line, with --now", () => {
  let dir: string;
  let stackFile: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-break-glass-cli-"));
    stackFile = path.join(dir, "Pulumi.incident.yaml");
    fs.writeFileSync(stackFile, fs.readFileSync(UNSEEN_STACK_FILE, "utf8").trimEnd() + "\n" + ENTRIES);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("render prints the active entry's objects and warns about the expired one by name", async () => {
    const result = await runCli(["render", "--stack-file", stackFile, "--now", NOW]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /name: break-glass-ci-outage\n {2}namespace: ci\n/);
    assert.doesNotMatch(result.stdout, /github-for-notifications/);
    assert.equal(
      result.stderr,
      'warning: break-glass "github-for-notifications" (breakGlass[1], ticket CHG-17) expired at 2026-11-29T11:00:00Z and renders nothing: remove it from the stack file\n',
    );
  });

  it("render after the active entry's expiry renders no break-glass object at all", async () => {
    const result = await runCli(["render", "--stack-file", stackFile, "--now", "2026-11-29T18:00:00Z"]);
    assert.equal(result.status, 0, result.stderr);
    // The label as a label (the guardrails' CEL names it too): no object carries it.
    assert.doesNotMatch(result.stdout, /^\s+mesh-egress\.io\/break-glass(-scope)?: /m);
    assert.match(result.stderr, /"ci-outage".*expired/);
  });

  it("lint passes the render at the same instant and fails it once the entry is overdue", async () => {
    const rendered = path.join(dir, "rendered.yaml");
    fs.writeFileSync(rendered, (await runCli(["render", "--stack-file", stackFile, "--now", NOW])).stdout);
    const now = await runCli(["lint", rendered, "--now", NOW]);
    assert.equal(now.status, 0, now.stdout);
    const later = await runCli(["lint", rendered, "--now", "2026-11-29T19:00:00Z", "--format", "json"]);
    assert.equal(later.status, 1);
    const rules = new Set(JSON.parse(later.stdout).map((f: { rule: string }) => f.rule));
    assert.deepEqual([...rules], ["break-glass-expiry-valid"]);
  });

  it("report lists active and expired entries with their ticket, approver and time left", async () => {
    const result = await runCli(["report", "--stack-file", stackFile, "--now", NOW, "--format", "json"]);
    assert.equal(result.status, 0, result.stderr);
    const { breakGlass } = JSON.parse(result.stdout);
    assert.deepEqual(
      breakGlass.entries.map((e: any) => [e.id, e.status, e.scope, e.ticket, e.approvedBy, e.hoursLeft]),
      [
        ["ci-outage", "active", "direct", "INC-4711", "oncall-lead@example.com", 6],
        ["github-for-notifications", "expired", "grant", "CHG-17", "platform-lead@example.com", -1],
      ],
    );
    const text = await runCli(["report", "--stack-file", stackFile, "--now", NOW]);
    assert.match(text.stdout, /ci-outage\s+ACTIVE, around the gateway\s+direct\s+ci/);
    assert.match(text.stdout, /github-for-notifications\s+EXPIRED \(renders nothing\)/);
  });

  it("exits 2 on a --now that is not RFC 3339, printing nothing", async () => {
    const result = await runCli(["render", "--stack-file", stackFile, "--now", "noon"]);
    assert.equal(result.status, 2);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /"noon" is not an RFC 3339 time/);
  });

  it("exits 2 on an empty --now (an unset variable in a script) in render, report and lint, never falling back to the clock", async () => {
    const rendered = path.join(dir, "empty-now.yaml");
    fs.writeFileSync(rendered, (await runCli(["render", "--stack-file", stackFile, "--now", NOW])).stdout);
    for (const args of [
      ["render", "--stack-file", stackFile, "--now", ""],
      ["report", "--stack-file", stackFile, "--now="],
      ["lint", rendered, "--now", ""],
    ]) {
      const result = await runCli(args);
      assert.equal(result.status, 2, args.join(" "));
      assert.equal(result.stdout, "", args.join(" "));
      assert.match(result.stderr, /"" is not an RFC 3339 time/, args.join(" "));
    }
  });
});
