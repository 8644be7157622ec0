import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PassThrough } from "stream";
import { kindsTheRulesJudge, readLiveObjects } from "../../cli/live-cluster";
import { LintOptions, LintRecord, runLint } from "../../cli/lint-command";
import { renderDocuments, toMultiDocumentYaml } from "../../cli/render";
import { runTrace, TraceOptions } from "../../cli/trace-command";
import type { TraceResult } from "../../cli/trace-path";
import type { KubernetesObject } from "../../components/kubernetes-object";
import { isKind } from "../../policy/mesh/object-fields";
import { describeWithApiServer } from "../support/envtest/shared-api-server";
import {
  applyStrict,
  ensurePreexistingNamespaces,
  objectId,
  uninstall,
} from "../support/envtest/server-side-apply";
import { projectStack } from "../support/stacks";

async function lint(options: Partial<LintOptions>): Promise<{ code: number; records: LintRecord[] }> {
  let stdout = "";
  const io = {
    stdin: new PassThrough(),
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => assert.fail(`lint wrote to stderr: ${text}`) },
  };
  const code = await runLint({ inputs: [], environment: "prod", format: "json", ...options }, io);
  return { code, records: JSON.parse(stdout) as LintRecord[] };
}

async function trace(options: Partial<TraceOptions>): Promise<{ code: number; result: TraceResult }> {
  let stdout = "";
  const io = {
    stdin: new PassThrough(),
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => assert.fail(`trace wrote to stderr: ${text}`) },
  };
  const code = await runTrace(
    { from: "payments", to: "api.stripe.com:443", inputs: [], format: "json", ...options },
    io,
  );
  return { code, result: JSON.parse(stdout) as TraceResult };
}

const sorted = (records: LintRecord[]) =>
  [...records].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describeWithApiServer("mesh-egress lint against a live cluster (the real API server)", (server) => {
  const weakening: KubernetesObject = {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "open-internet", namespace: "payments" },
    spec: {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }],
    },
  };
  let documents: KubernetesObject[];
  let renderFile: string;
  const live = () => ({ live: { kubeconfig: server().kubeconfig, kubectl: server().binaries.kubectl } });

  before(async function () {
    this.timeout(120_000);
    documents = renderDocuments(projectStack("prod"));
    renderFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-live-lint-")), "prod.yaml");
    fs.writeFileSync(renderFile, toMultiDocumentYaml(documents));
    await ensurePreexistingNamespaces(server(), documents);
    await applyStrict(server(), documents);
  });
  after(async function () {
    this.timeout(120_000);
    fs.rmSync(path.dirname(renderFile), { recursive: true, force: true });
    await uninstall(server(), [...documents, weakening]);
  });

  it("reads back every rendered object of a kind the rules judge", async function () {
    this.timeout(60_000);
    const liveIds = new Set((await readLiveObjects(live().live)).map(objectId));
    const judged = documents.filter((d) => kindsTheRulesJudge().some((k) => isKind(d, k)));
    assert.ok(judged.length > 20, `the prod render holds ${judged.length} judged objects`);
    assert.deepEqual(
      judged.map(objectId).filter((id) => !liveIds.has(id)),
      [],
    );
  });

  it("finds on the live prod cluster exactly what it finds on the prod render", async function () {
    this.timeout(60_000);
    const onRender = await lint({ inputs: [renderFile] });
    const onCluster = await lint(live());
    assert.deepEqual(sorted(onCluster.records), sorted(onRender.records));
    assert.equal(onCluster.code, onRender.code);
  });

  it("traces on the live prod cluster every hop it traces on the prod render", async function () {
    this.timeout(60_000);
    for (const [from, to] of [
      ["payments", "api.stripe.com:443"],
      ["settlement/batch", "api.clearing-partner.net"],
      ["storefront", "api.openai.com"],
    ]) {
      const onRender = await trace({ from, to, inputs: [renderFile] });
      const onCluster = await trace({ from, to, ...live() });
      assert.deepEqual(onCluster.result, onRender.result);
      assert.equal(onCluster.code, onRender.code);
    }
    assert.equal((await trace(live())).code, 0);
  });

  it("reports a weakening object added while the guardrails are off", async function () {
    this.timeout(60_000);
    await server().kubectlOrThrow([
      "delete",
      "validatingadmissionpolicybindings",
      "-l",
      "app.kubernetes.io/component=admission-guardrails",
    ]);
    // Bindings leave the admission chain through an informer: retry until the object is let in.
    let admitted = false;
    for (let attempt = 0; attempt < 40 && !admitted; attempt++) {
      admitted = await applyStrict(server(), [weakening]).then(
        () => true,
        () => false,
      );
      if (!admitted) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.ok(admitted, "with the bindings gone the API server admits the weakening");
    const { code, records } = await lint(live());
    assert.equal(code, 1);
    assert.ok(
      records.some(
        (r) =>
          r.rule === "network-policy-no-internet-egress" &&
          r.namespace === "payments" &&
          r.name === "open-internet" &&
          r.enforcement === "mandatory",
      ),
      JSON.stringify(records, null, 2),
    );
    const { code: traced, result } = await trace({ to: "pastebin.com:443", ...live() });
    assert.equal(traced, 1);
    assert.deepEqual(result.outcome.kind === "bypass" && [result.outcome.finding, result.outcome.object], [
      "network-policy-no-internet-egress",
      "NetworkPolicy payments/open-internet",
    ]);
  });
  it("reports, before rollout, an istiod mesh config that lacks the gateway's access-log provider", async function () {
    this.timeout(60_000);
    // What istiod reads: the `istio` ConfigMap in its namespace, here without extensionProviders.
    const meshConfig = (mesh: string): KubernetesObject =>
      ({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "istio", namespace: "istio-system" },
        data: { mesh },
      }) as KubernetesObject;
    const bare = meshConfig("defaultConfig:\n  discoveryAddress: istiod.istio-system.svc:15012\n");
    try {
      await ensurePreexistingNamespaces(server(), [bare]);
      await applyStrict(server(), [bare]);
      const { records } = await lint(live());
      const finding = records.find((r) => r.rule === "gateway-access-log-records-caller");
      assert.ok(finding, JSON.stringify(records, null, 2));
      assert.equal(finding.enforcement, "mandatory");
      assert.match(
        finding.message,
        /"mesh-egress-gateway-json" is not defined in meshConfig.extensionProviders, so the gateway logs nothing/,
      );

      const withProvider = meshConfig(
        [
          "extensionProviders:",
          "  - name: mesh-egress-gateway-json",
          "    envoyFileAccessLog:",
          "      path: /dev/stdout",
          "      logFormat:",
          "        labels:",
          '          caller_identity: "%DOWNSTREAM_PEER_URI_SAN%"',
          "",
        ].join("\n"),
      );
      await applyStrict(server(), [withProvider]);
      const after = await lint(live());
      assert.ok(!after.records.some((r) => r.rule === "gateway-access-log-records-caller"));
    } finally {
      await uninstall(server(), [bare]);
    }
  });
});
