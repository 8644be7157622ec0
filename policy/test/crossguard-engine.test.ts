import * as assert from "node:assert/strict";
import * as path from "node:path";
import { policies } from "../policies";
import { compliantPlatform, find } from "./compliant-platform";
import { asEngineResource, EngineResource, UNKNOWN } from "./crossguard-harness";

/**
 * The policies served by @pulumi/policy's own analyzer functions (server.js), fed protobuf requests as
 * the Pulumi CLI sends them: this is the code path `pulumi preview --policy-pack` runs, minus gRPC.
 */
const policyDir = path.dirname(require.resolve("@pulumi/policy/package.json"));
const fromPolicy = (module: string) => require(require.resolve(module, { paths: [policyDir] }));
const server = require(path.join(policyDir, "server"));
const analyzer = fromPolicy("@pulumi/pulumi/proto/analyzer_pb");
const { Struct } = fromPolicy("google-protobuf/google/protobuf/struct_pb");

interface Diagnostic {
  policy: string;
  level: "advisory" | "mandatory" | "other";
  message: string;
  urn: string;
}

const levelName = (level: number): Diagnostic["level"] =>
  level === analyzer.EnforcementLevel.MANDATORY
    ? "mandatory"
    : level === analyzer.EnforcementLevel.ADVISORY
      ? "advisory"
      : "other";

function describeResponse(resp: any): { diagnostics: Diagnostic[]; notApplicable: string[] } {
  return {
    diagnostics: resp.getDiagnosticsList().map((d: any) => ({
      policy: d.getPolicyname(),
      level: levelName(d.getEnforcementlevel()),
      message: d.getMessage(),
      urn: d.getUrn(),
    })),
    notApplicable: resp.getNotApplicableList().map((n: any) => n.getPolicyName()),
  };
}

const urnOf = (r: EngineResource) => `urn:pulumi:prod::mesh-egress::${r.type}::${r.name}`;

function call(fn: (call: unknown, cb: (err: unknown, resp: unknown) => void) => void, request: unknown) {
  return new Promise<ReturnType<typeof describeResponse>>((resolve, reject) =>
    fn({ request }, (err, resp) => (err ? reject(err) : resolve(describeResponse(resp)))),
  );
}

function analyze(resource: EngineResource) {
  const request = new analyzer.AnalyzeRequest();
  request.setType(resource.type);
  request.setName(resource.name);
  request.setUrn(urnOf(resource));
  request.setProperties(Struct.fromJavaScript(resource.props));
  request.setOptions(new analyzer.AnalyzerResourceOptions());
  return call(server.makeAnalyzeRpcFun("egress-guardrails", "0.1.0", "advisory", policies), request);
}

function analyzeStack(resources: EngineResource[]) {
  const request = new analyzer.AnalyzeStackRequest();
  request.setResourcesList(
    resources.map((r) => {
      const resource = new analyzer.AnalyzerResource();
      resource.setType(r.type);
      resource.setName(r.name);
      resource.setUrn(urnOf(r));
      resource.setProperties(Struct.fromJavaScript(r.props));
      resource.setOptions(new analyzer.AnalyzerResourceOptions());
      return resource;
    }),
  );
  return call(server.makeAnalyzeStackRpcFun("egress-guardrails", "0.1.0", "advisory", policies), request);
}

describe("the policy pack inside @pulumi/policy's analyzer", () => {
  it("reports a wildcard host as mandatory and a policy reading an unknown value as advisory", async () => {
    const entry = asEngineResource(find(compliantPlatform(), "ServiceEntry", "egress-openai"));
    const spec = entry.props.spec as Record<string, unknown>;
    spec.hosts = ["*.openai.com"];
    spec.exportTo = UNKNOWN.array;
    const { diagnostics, notApplicable } = await analyze(entry);
    assert.deepEqual(
      diagnostics.map((d) => [d.policy, d.level]),
      [
        ["service-entry-host-not-wildcard-or-ip", "mandatory"],
        ["service-entry-export-scoped", "advisory"],
      ],
    );
    assert.match(
      diagnostics[1]?.message ?? "",
      /can't run policy 'service-entry-export-scoped'.*during preview/,
    );
    assert.ok(notApplicable.includes("sidecar-egress-hosts-scoped"));
  });

  it("passes the compliant platform's stack with no diagnostic", async () => {
    const { diagnostics } = await analyzeStack(compliantPlatform().map(asEngineResource));
    assert.deepEqual(diagnostics, []);
  });

  it("reports a stack violation as mandatory, on the offending resource's URN", async () => {
    const objects = compliantPlatform();
    find(objects, "Sidecar", "default", "ml").spec.outboundTrafficPolicy.mode = "ALLOW_ANY";
    const resources = objects.map(asEngineResource);
    const { diagnostics } = await analyzeStack(resources);
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0]?.policy, "sidecar-registry-only");
    assert.equal(diagnostics[0]?.level, "mandatory");
    assert.equal(
      diagnostics[0]?.urn,
      "urn:pulumi:prod::mesh-egress::kubernetes:networking.istio.io/v1:Sidecar::ml-default-sidecar",
    );
  });
});
