import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { isAlias, parseAllDocuments, visit } from "yaml";
import { meshConfigNotice } from "../cli/mesh-config-notice";
import { renderDocuments, toMultiDocumentYaml } from "../cli/render";
import { runCli, runCliProcess } from "./support/run-cli";
import { projectStack, UNSEEN_STACK_FILE } from "./support/stacks";

function documentsOf(stdout: string): any[] {
  return parseAllDocuments(stdout).map((d) => d.toJS());
}

describe("mesh-egress render", () => {
  for (const stack of ["dev", "prod"] as const) {
    it(`prints the ${stack} stack as multi-document YAML and exits 0`, async () => {
      const result = await runCli(["render", "--stack", stack]);
      assert.equal(result.status, 0, result.stderr);
      const config = projectStack(stack);
      // The mesh-config notice (a comment) leads when the stack leaves istiod to the platform team.
      assert.equal(result.stdout, meshConfigNotice(config) + toMultiDocumentYaml(renderDocuments(config)));
      const docs = documentsOf(result.stdout);
      assert.ok(docs.length > 20);
      for (const doc of docs)
        assert.ok(doc.apiVersion && doc.kind && doc.metadata?.name, JSON.stringify(doc));
    });
  }

  it("renders namespaces first, then charts, then the routing objects", async () => {
    const docs = documentsOf((await runCli(["render", "--stack", "dev"])).stdout);
    const firstIndex = (kind: string) => docs.findIndex((d) => d.kind === kind);
    const lastIndex = (kind: string) => docs.map((d) => d.kind).lastIndexOf(kind);
    assert.ok(lastIndex("Namespace") < firstIndex("HelmRelease"));
    assert.ok(lastIndex("HelmRelease") < firstIndex("ServiceEntry"));
    assert.ok(lastIndex("ServiceEntry") < firstIndex("Sidecar"), "tenants are locked after the routes exist");
  });

  it("shows each chart as a Flux HelmRepository and HelmRelease with chart, version and values", async () => {
    const docs = documentsOf((await runCli(["render", "--stack", "dev"])).stdout);
    const releases = docs.filter((d) => d.kind === "HelmRelease");
    const charts = releases.map((r) => r.spec.chart.spec.chart);
    assert.ok(charts.indexOf("base") < charts.indexOf("istiod"), "CRDs before istiod");
    assert.ok(charts.indexOf("istiod") < charts.indexOf("gateway"), "istiod before the gateway");
    assert.ok(charts.indexOf("base") >= 0);
    for (const release of releases) {
      assert.equal(release.apiVersion, "helm.toolkit.fluxcd.io/v2");
      assert.match(
        release.spec.chart.spec.version,
        /^v?\d+\.\d+\.\d+$/,
        `${release.metadata.name} is pinned`,
      );
    }
    for (const release of releases) {
      const source = release.spec.chart.spec.sourceRef;
      const repository = docs.find(
        (d) =>
          d.kind === "HelmRepository" &&
          d.metadata.name === source.name &&
          d.metadata.namespace === source.namespace,
      );
      assert.equal(
        repository?.apiVersion,
        "source.toolkit.fluxcd.io/v1",
        `${release.metadata.name}'s source exists`,
      );
    }
    const istiod = releases.find((r) => r.spec.chart.spec.chart === "istiod");
    assert.deepEqual(istiod.spec.dependsOn, [{ name: "istio-base", namespace: "istio-system" }]);
    assert.equal(istiod.spec.values.meshConfig.outboundTrafficPolicy.mode, "REGISTRY_ONLY");
    assert.equal(istiod.spec.values.env.PILOT_SCOPE_GATEWAY_TO_NAMESPACE, "true");
  });

  it("renders a stack file the project has never seen", async () => {
    const result = await runCli(["render", "--stack-file", UNSEEN_STACK_FILE]);
    assert.equal(result.status, 0, result.stderr);
    const docs = documentsOf(result.stdout);
    const gateway = docs.find((d) => d.kind === "HelmRelease" && d.spec.chart.spec.chart === "gateway");
    assert.equal(gateway.metadata.namespace, "edge-out");
    assert.equal(gateway.spec.releaseName, "corp-egress");
    assert.ok(docs.some((d) => d.kind === "Sidecar" && d.metadata.namespace === "batch"));
  });

  for (const stack of ["dev", "prod"]) {
    it(`renders ${stack} as plain YAML, without anchors or aliases`, async () => {
      const result = await runCli(["render", "--stack", stack]);
      assert.equal(result.status, 0, result.stderr);
      let aliases = 0;
      let anchors = 0;
      for (const doc of parseAllDocuments(result.stdout)) {
        visit(doc, (_key, node) => {
          if (isAlias(node)) aliases++;
          else if (node && typeof node === "object" && "anchor" in node && node.anchor) anchors++;
        });
      }
      assert.deepEqual({ aliases, anchors }, { aliases: 0, anchors: 0 });
    });
  }

  it("writes the same YAML to --out as it prints", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-render-"));
    const result = await runCli(["render", "--stack", "prod", "--out", dir]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(fs.readFileSync(path.join(dir, "prod.yaml"), "utf8"), result.stdout);
  });

  it("exits 2 with one path-qualified error per line, and prints no manifests, for bad config", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-bad-"));
    const file = path.join(dir, "Pulumi.bad.yaml");
    fs.writeFileSync(
      file,
      [
        "config:",
        "  mesh-egress:environment: prod",
        "  mesh-egress:services:",
        "    - {name: stripe, hosts: ['*.stripe.com'], mode: passthrough-mtls}",
        "  mesh-egress:tenants:",
        "    - {namespace: payments, allow: [strpe], alow: []}",
      ].join("\n"),
    );
    const result = await runCli(["render", "--stack-file", file]);
    assert.equal(result.status, 2);
    assert.equal(result.stdout, "");
    const lines = result.stderr.trim().split("\n");
    assert.match(lines[0], /Pulumi\.bad\.yaml: invalid mesh-egress configuration/);
    assert.ok(
      lines.some((l) => l.startsWith("services[0].hosts[0]: wildcard host")),
      result.stderr,
    );
    assert.ok(
      lines.some((l) => l.startsWith('tenants[0].alow: unknown key "alow"')),
      result.stderr,
    );
  });

  it("exits 2 for a prod stack with a plain passthrough service, naming passthrough-mtls as the fix", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-passthrough-"));
    const file = path.join(dir, "Pulumi.prod.yaml");
    fs.writeFileSync(
      file,
      [
        "config:",
        "  mesh-egress:environment: prod",
        "  mesh-egress:services:",
        "    - {name: idp, hosts: [login.example.com], mode: passthrough}",
        "  mesh-egress:tenants:",
        "    - {namespace: payments, allow: [idp]}",
      ].join("\n"),
    );
    const result = await runCli(["render", "--stack-file", file]);
    assert.equal(result.status, 2);
    assert.equal(result.stdout, "");
    assert.match(
      result.stderr,
      /^services\[0\]\.mode: passthrough cannot be scoped to tenants in prod.*use mode passthrough-mtls/m,
    );
  });

  it("renders the shipped prod stack with no plain passthrough service", async () => {
    const result = await runCli(["render", "--stack", "prod"]);
    assert.equal(result.status, 0, result.stderr);
    const servers = parseAllDocuments(result.stdout)
      .map((d) => d.toJSON())
      .filter((d) => d.kind === "Gateway")
      .flatMap((g) => g.spec.servers);
    assert.ok(servers.length > 0);
    assert.deepEqual(
      servers.filter((s: { tls: { mode: string } }) => s.tls.mode === "PASSTHROUGH"),
      [],
    );
  });

  it("exits 2 when the stack file does not exist or no stack is named", async () => {
    const missing = await runCli(["render", "--stack", "staging"]);
    assert.equal(missing.status, 2);
    assert.equal(missing.stdout, "");
    assert.match(
      missing.stderr,
      /no stack "staging" in this project \(no Pulumi\.staging\.yaml\); stacks: dev, prod/,
    );
    const unnamed = await runCli(["render"]);
    assert.equal(unnamed.status, 2);
    assert.match(unnamed.stderr, /--stack NAME or --stack-file PATH/);
  });

  it("exits 2 on an unknown option, saying which, without exiting or marking the process", async () => {
    const exitCodeBefore = process.exitCode;
    const result = await runCli(["render", "--stak", "dev"]);
    assert.equal(result.status, 2);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /unknown option '--stak'/);
    assert.equal(process.exitCode, exitCodeBefore, "runCli returns its code; only the bin sets it");
  });

  it("prints its help on the given stdout and exits 0", async () => {
    const result = await runCli(["--help"]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^Usage: mesh-egress/);
    assert.match(result.stdout, /\brender\b/);
    assert.match(result.stdout, /\blint\b/);
  });

  describe("as the mesh-egress binary, in a child process", function () {
    this.timeout(120_000); // a child process on a shared machine

    it("prints the same YAML as the in-process run and exits 0", async () => {
      const child = runCliProcess(["render", "--stack", "dev"]);
      assert.equal(child.status, 0, child.stderr);
      assert.equal(child.stdout, (await runCli(["render", "--stack", "dev"])).stdout);
      assert.equal(child.stderr, "");
    });
  });
});
