import * as assert from "node:assert/strict";
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { compliantPlatform, find } from "./compliant-platform";
import { asEngineResource, EngineResource } from "./crossguard-harness";

/**
 * The pack as the Pulumi CLI drives it: `policy/index.ts` started in the pack's directory serves the
 * Analyzer gRPC service and prints its port; the CLI asks for the pack's info, sends the
 * `--policy-pack-config` file as Configure, then Analyze/AnalyzeStack. Only the CLI itself is missing.
 */
const POLICY_DIR = path.join(__dirname, "..");
const policyDir = path.dirname(require.resolve("@pulumi/policy/package.json"));
const fromPolicy = (module: string) => require(require.resolve(module, { paths: [policyDir] }));
const grpc = fromPolicy("@grpc/grpc-js");
const analyzer = fromPolicy("@pulumi/pulumi/proto/analyzer_pb");
const { AnalyzerClient } = fromPolicy("@pulumi/pulumi/proto/analyzer_grpc_pb");
const { Struct } = fromPolicy("google-protobuf/google/protobuf/struct_pb");
const { Empty } = fromPolicy("google-protobuf/google/protobuf/empty_pb");

const LEVEL: Record<string, number> = {
  advisory: analyzer.EnforcementLevel.ADVISORY,
  mandatory: analyzer.EnforcementLevel.MANDATORY,
  disabled: analyzer.EnforcementLevel.DISABLED,
};
const levelName = (n: number): string => Object.keys(LEVEL).find((k) => LEVEL[k] === n) ?? String(n);

function unary<T>(client: any, method: string, request: unknown): Promise<T> {
  return new Promise((resolve, reject) =>
    client[method](request, (err: unknown, resp: T) => (err ? reject(err) : resolve(resp))),
  );
}

/** What the CLI sends for `--policy-pack-config <file>`: one PolicyConfig per entry. */
function configureRequest(file: string): unknown {
  const config = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
  const request = new analyzer.ConfigureAnalyzerRequest();
  for (const [name, entry] of Object.entries(config)) {
    const { enforcementLevel, ...properties } =
      typeof entry === "string" ? { enforcementLevel: entry } : (entry as Record<string, unknown>);
    const policyConfig = new analyzer.PolicyConfig();
    policyConfig.setEnforcementlevel(LEVEL[String(enforcementLevel)]);
    policyConfig.setProperties(Struct.fromJavaScript(properties));
    request.getPolicyconfigMap().set(name, policyConfig);
  }
  return request;
}

function stackRequest(resources: EngineResource[]): unknown {
  const request = new analyzer.AnalyzeStackRequest();
  request.setResourcesList(
    resources.map((r) => {
      const resource = new analyzer.AnalyzerResource();
      resource.setType(r.type);
      resource.setName(r.name);
      resource.setUrn(`urn:pulumi:prod::mesh-egress::${r.type}::${r.name}`);
      resource.setProperties(Struct.fromJavaScript(r.props));
      resource.setOptions(new analyzer.AnalyzerResourceOptions());
      return resource;
    }),
  );
  return request;
}

describe("the policy pack served over gRPC, as the Pulumi CLI runs it", function () {
  this.timeout(60000);
  let server: ChildProcess;
  let client: any;

  before(async () => {
    server = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "index.ts"], {
      cwd: POLICY_DIR,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const port = await new Promise<string>((resolve, reject) => {
      let out = "";
      let err = "";
      server.stdout?.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /^(\d+)\s*$/m.exec(out);
        if (m?.[1]) resolve(m[1]);
      });
      server.stderr?.on("data", (d: Buffer) => (err += d.toString()));
      server.on("exit", (code) => reject(new Error(`policy pack exited ${code}: ${err}`)));
    });
    client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });

  after(() => {
    client?.close();
    server?.kill();
  });

  it("describes the pack: its name and version, and every rule with its severity", async () => {
    const info: any = await unary(client, "getAnalyzerInfo", new Empty());
    assert.equal(info.getName(), "egress-guardrails");
    assert.equal(info.getVersion(), "0.1.0");
    const names = info.getPoliciesList().map((p: any) => p.getName());
    const { allRules } = await import("../engine/catalog");
    assert.deepEqual(
      names,
      allRules.map((r) => r.name),
    );
    for (const p of info.getPoliciesList())
      assert.ok(p.getDescription().length > 0 && p.getSeverity() > 0, p.getName());
  });

  it("runs availability rules as advisory with dev.json and as mandatory with prod.json", async () => {
    const objects = compliantPlatform();
    find(objects, "HelmRelease", "istio-egressgateway").spec.values.autoscaling.minReplicas = 1;
    const request = stackRequest(objects.map(asEngineResource));
    const levels: Record<string, string[]> = {};
    for (const env of ["dev", "prod"]) {
      await unary(client, "configure", configureRequest(path.join(POLICY_DIR, "config", `${env}.json`)));
      const response: any = await unary(client, "analyzeStack", request);
      levels[env] = response
        .getDiagnosticsList()
        .map((d: any) => `${d.getPolicyname()}:${levelName(d.getEnforcementlevel())}`);
    }
    assert.deepEqual(levels, {
      dev: ["gateway-ha-min-replicas:advisory"],
      prod: ["gateway-ha-min-replicas:mandatory"],
    });
  });

  it("passes a setting from the config to its rule", async () => {
    const file = path.join(
      fs.mkdtempSync(path.join(require("node:os").tmpdir(), "pack-config-")),
      "strict.json",
    );
    const prod = JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "config", "prod.json"), "utf8"));
    prod["client-certificate-max-lifetime"] = { enforcementLevel: "mandatory", maxDays: 30 };
    fs.writeFileSync(file, JSON.stringify(prod));
    await unary(client, "configure", configureRequest(file));
    const certificate = asEngineResource(find(compliantPlatform(), "Certificate", "egress-partner-client"));
    const request = new analyzer.AnalyzeRequest();
    request.setType(certificate.type);
    request.setName(certificate.name);
    request.setUrn(`urn:pulumi:prod::mesh-egress::${certificate.type}::${certificate.name}`);
    request.setProperties(Struct.fromJavaScript(certificate.props));
    request.setOptions(new analyzer.AnalyzerResourceOptions());
    const response: any = await unary(client, "analyze", request);
    const diagnostics = response.getDiagnosticsList().map((d: any) => [d.getPolicyname(), d.getMessage()]);
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0][0], "client-certificate-max-lifetime");
    assert.match(diagnostics[0][1], /30-day maximum/);
  });
});
