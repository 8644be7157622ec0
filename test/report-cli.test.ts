import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildEgressReport } from "../cli/egress-report";
import { formatCsv, formatMarkdown, ReportDocument } from "../cli/report-document";
import { loadStackFile } from "../stacks/load-config";
import { runReport } from "../cli/report-command";
import { captureOutput } from "./support/capture-output";
import { runCli, runCliProcess } from "./support/run-cli";
import { projectStack, UNSEEN_STACK_FILE } from "./support/stacks";

describe("mesh-egress report", () => {
  it("gives one grant per tenant × destination host of the prod stack, with how each is enforced", () => {
    const report = buildEgressReport(projectStack("prod"), "prod");
    assert.deepEqual(
      report.grants.map((g) => `${g.tenant} ${g.host}:${g.port} ${g.mode}`),
      [
        "payments api.stripe.com:443 passthrough-mtls",
        "payments files.stripe.com:443 passthrough-mtls",
        "payments acme.eu.auth0.com:443 passthrough",
        "assistant api.openai.com:443 originate",
        "assistant acme.eu.auth0.com:443 passthrough",
        "settlement api.clearing-partner.net:443 originate-mutual",
        "settlement rates.fx-legacy.com:443 originate",
        "storefront acme.eu.auth0.com:443 passthrough",
      ],
    );
    const partner = report.grants.find((g) => g.host === "api.clearing-partner.net")!;
    assert.equal(partner.identityAtGateway, "mTLS peer: namespace + host + port");
    assert.match(
      partner.tlsVerification,
      /^gateway MUTUAL: SANs api\.clearing-partner\.net; declared CA bundle/,
    );
    assert.equal(
      report.grants.find((g) => g.mode === "passthrough")!.identityAtGateway.startsWith("none"),
      true,
    );
  });

  it("states the prod gateway's HA settings and the limits that come with passthrough", () => {
    const report = buildEgressReport(projectStack("prod"), "prod");
    assert.deepEqual(report.gateway.replicas, { min: 3, max: 12 });
    assert.equal(report.gateway.podDisruptionBudget, "maxUnavailable 1");
    assert.ok(report.limits.some((l) => l.startsWith("passthrough services carry no workload identity")));
    assert.ok(!report.limits.some((l) => l.includes("single replica")), "prod runs at least 3");
  });

  it("prints the prod stack as a reviewable Markdown table, one row per grant, through the real binary", () => {
    const result = runCliProcess(["report", "--stack", "prod", "--format", "markdown"]);
    assert.equal(result.status, 0, result.stderr);
    const rows = result.stdout.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| ---"));
    const grantRows = rows.filter((l) =>
      /\| (passthrough|passthrough-mtls|originate|originate-mutual) \|/.test(l),
    );
    assert.equal(grantRows.length, 8);
    assert.match(result.stdout, /^# Declared egress: prod \(prod\)$/m);
    assert.match(result.stdout, /^\| replicas \| 3–12 \(HPA at 70% CPU\) \|$/m);
  });

  it("prints JSON that is the report model of an unseen stack file", async () => {
    const result = await captureOutput((io) =>
      runReport({ stackFile: UNSEEN_STACK_FILE, format: "json" }, io),
    );
    assert.equal(result.result, 0, result.stderr);
    const parsed = JSON.parse(result.stdout);
    assert.ok(parsed.grants.length > 0);
    assert.deepEqual(
      parsed.grants.map((g: any) => g.tenant + " " + g.host),
      buildEgressReport(loadStackFile(UNSEEN_STACK_FILE), "unseen").grants.map(
        (g) => g.tenant + " " + g.host,
      ),
    );
  });

  it("exits 2 with the path of the error and prints nothing for a stack with a bad reference", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-report-"));
    const file = path.join(dir, "Pulumi.bad.yaml");
    const stack = fs.readFileSync(UNSEEN_STACK_FILE, "utf8").replace(/allow: \[/, "allow: [strpe, ");
    fs.writeFileSync(file, stack);
    try {
      const result = await captureOutput((io) => runReport({ stackFile: file, format: "text" }, io));
      assert.equal(result.result, 2);
      assert.equal(result.stdout, "");
      assert.match(result.stderr, /tenants\[0\]\.allow\[0\].*strpe/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("exits 2 for an unknown format", async () => {
    const result = await runCli(["report", "--stack", "dev", "--format", "xml"]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /xml/);
  });
});

describe("report formats", () => {
  const doc: ReportDocument = {
    title: "t",
    sections: [{ title: "s", table: { columns: ["a", "b|c"], rows: [["x, y", 'say "hi"']] } }],
    csv: {
      columns: ["a", "b"],
      rows: [
        ["x, y", 'say "hi"'],
        ["two\nlines", "plain"],
      ],
    },
    model: {},
  };

  it("quotes CSV cells with commas, quotes and line breaks as RFC 4180 says", () => {
    assert.equal(formatCsv(doc), 'a,b\r\n"x, y","say ""hi"""\r\n"two\nlines",plain\r\n');
  });

  it("escapes pipes in Markdown cells so a table keeps its columns", () => {
    assert.match(formatMarkdown(doc), /^\| a \| b\\\|c \|$/m);
  });
});
