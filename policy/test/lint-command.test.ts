import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Readable } from "node:stream";
import { stringify } from "yaml";
import { runCli, runCliProcess } from "../../test/support/run-cli";
import { lintExitCode, LintOptions, LintRecord, runLint } from "../../cli/lint-command";
import { KubernetesObject } from "../contract";
import { compliantPlatform, find } from "./compliant-platform";

const MISSION_EXAMPLE = path.join(__dirname, "fixtures", "mission-example.yaml");

const toYaml = (objects: readonly KubernetesObject[]): string =>
  objects.map((o) => `---\n${stringify(o)}`).join("");
/** What `kubectl get ... -o yaml` prints: one v1 List. */
const toKubectlList = (objects: readonly KubernetesObject[]): string =>
  stringify({ apiVersion: "v1", kind: "List", metadata: { resourceVersion: "" }, items: objects });

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-lint-"));
}

async function lint(
  inputs: string[],
  options: Partial<Omit<LintOptions, "inputs">> = {},
  stdin = "",
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runLint(
    { inputs, environment: "prod", format: "text", ...options },
    {
      stdin: Readable.from([stdin]),
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t) },
    },
  );
  return { code, stdout, stderr };
}

function weakened(): KubernetesObject[] {
  const objects = compliantPlatform();
  find(objects, "ServiceEntry", "egress-openai").spec.exportTo = ["*"];
  return objects;
}

describe("mesh-egress lint", () => {
  it("exits 0 and says so when a file holds a compliant platform", async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "platform.yaml"), toYaml(compliantPlatform()));
    const result = await lint([path.join(dir, "platform.yaml")]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /Linted \d+ object\(s\) for prod; gateway namespace istio-egress/);
    assert.match(result.stdout, /No violations\./);
  });

  it("exits 1 and names the rule, the object and the fix for a mandatory violation", async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "platform.yml"), toYaml(weakened()));
    const result = await lint([path.join(dir, "platform.yml")]);
    assert.equal(result.code, 1);
    assert.match(
      result.stdout,
      /mandatory service-entry-export-scoped: ServiceEntry istio-egress\/egress-openai: exports to "\*".*Fix: /,
    );
    assert.match(result.stdout, /1 mandatory and 0 advisory violation\(s\)\./);
  });

  it("reads directories recursively, taking .yaml, .yml and .json files and skipping others", async () => {
    const dir = tempDir();
    const objects = weakened();
    fs.mkdirSync(path.join(dir, "tenants", "nested"), { recursive: true });
    const tenantObjects = objects.filter((o) => o.metadata.namespace === "payments");
    fs.writeFileSync(
      path.join(dir, "tenants", "nested", "payments.json"),
      JSON.stringify(toKubectlListObject(tenantObjects)),
    );
    fs.writeFileSync(
      path.join(dir, "rest.yaml"),
      toYaml(objects.filter((o) => o.metadata.namespace !== "payments")),
    );
    fs.writeFileSync(path.join(dir, "README.md"), "# not a manifest: {{ broken");
    const json = await lint([dir], { format: "json" });
    assert.equal(json.code, 1);
    const records = JSON.parse(json.stdout) as LintRecord[];
    assert.deepEqual(
      records.map((r) => r.rule),
      ["service-entry-export-scoped"],
    );
    // Every payments object came from the nested JSON: without it the tenant would lack its Sidecar.
    assert.ok(!records.some((r) => r.rule === "sidecar-registry-only"));
  });

  it("reads kubectl's kind: List from stdin", async () => {
    const result = await lint(["-"], {}, toKubectlList(weakened()));
    assert.equal(result.code, 1);
    assert.match(result.stdout, /service-entry-export-scoped/);
  });

  it("prints JSON as an array of rule, enforcement, kind, namespace, name and message", async () => {
    const objects = weakened();
    objects.push({
      apiVersion: "networking.istio.io/v1",
      kind: "Sidecar",
      metadata: { name: "open", namespace: "ml" },
      spec: { workloadSelector: { labels: { app: "x" } }, outboundTrafficPolicy: { mode: "ALLOW_ANY" } },
    });
    const result = await lint(["-"], { format: "json" }, toYaml(objects));
    const records = JSON.parse(result.stdout) as LintRecord[];
    assert.deepEqual(records[0], {
      rule: "service-entry-export-scoped",
      enforcement: "mandatory",
      kind: "ServiceEntry",
      namespace: "istio-egress",
      name: "egress-openai",
      message: records[0]?.message,
    });
    assert.deepEqual(Object.keys(records[1] ?? {}), [
      "rule",
      "enforcement",
      "kind",
      "namespace",
      "name",
      "message",
    ]);
    assert.equal(records[1]?.name, "open");
  });

  it("writes null as the namespace of cluster-scoped objects in JSON", async () => {
    const objects = compliantPlatform();
    find(objects, "Namespace", "ml").metadata.labels["istio-injection"] = "disabled";
    const records = JSON.parse(
      (await lint(["-"], { format: "json" }, toYaml(objects))).stdout,
    ) as LintRecord[];
    assert.deepEqual([records[0]?.kind, records[0]?.namespace, records[0]?.name], ["Namespace", null, "ml"]);
  });

  it("exits 0 in dev when only availability rules are violated, and 1 in prod", async () => {
    const objects = compliantPlatform();
    find(objects, "HelmRelease", "istio-egressgateway").spec.values.autoscaling.minReplicas = 1;
    const dev = await lint(["-"], { environment: "dev" }, toYaml(objects));
    assert.equal(dev.code, 0);
    assert.match(dev.stdout, /advisory {2}gateway-ha-min-replicas/);
    const prod = await lint(["-"], { environment: "prod" }, toYaml(objects));
    assert.equal(prod.code, 1);
    assert.match(prod.stdout, /mandatory gateway-ha-min-replicas/);
  });

  it("takes the gateway namespace from --gateway-namespace when the objects do not reveal it", async () => {
    const hidden = ["Namespace", "HelmRelease", "HelmRepository", "Gateway", "VirtualService"];
    const namesGatewayService = (o: KubernetesObject): boolean =>
      o.kind === "DestinationRule" && String(o.spec?.host).startsWith("istio-egressgateway.");
    const objects = compliantPlatform().filter((o) => !hidden.includes(o.kind) && !namesGatewayService(o));
    const unknown = await lint(["-"], {}, toYaml(objects));
    assert.match(unknown.stdout, /gateway namespace unknown/);
    const told = await lint(["-"], { gatewayNamespace: "istio-egress" }, toYaml(objects));
    assert.match(told.stdout, /gateway namespace istio-egress \(from --gateway-namespace\)/);
    assert.equal(told.code, 0);
    const wrong = await lint(["-"], { gatewayNamespace: "payments" }, toYaml(objects));
    assert.equal(wrong.code, 1, "payments has no gateway egress policy nor Telemetry");
  });

  describe("exits 2 with a message naming the input", () => {
    const cases: [string, (dir: string) => string, RegExp][] = [
      ["a missing file", (dir) => path.join(dir, "nope.yaml"), /nope\.yaml: cannot read it \(ENOENT\)/],
      ["invalid YAML", (dir) => write(dir, "bad.yaml", "kind: [unclosed\n"), /bad\.yaml: not valid YAML/],
      ["invalid JSON", (dir) => write(dir, "bad.json", "{"), /bad\.json: not valid JSON/],
      [
        "a document without apiVersion",
        (dir) => write(dir, "x.yaml", "kind: Pod\nmetadata: {name: a}\n"),
        /x\.yaml, document 1: not a Kubernetes object \(missing apiVersion\)/,
      ],
      [
        "a List item without a name",
        (dir) =>
          write(
            dir,
            "l.yaml",
            "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Namespace, metadata: {}}\n",
          ),
        /l\.yaml, document 1, items\[0\]: not a Kubernetes object \(missing metadata\.name\)/,
      ],
      [
        "a scalar document",
        (dir) => write(dir, "s.yaml", "just text\n"),
        /s\.yaml, document 1: not a Kubernetes object/,
      ],
      ["an empty file", (dir) => write(dir, "empty.yaml", "\n"), /empty\.yaml: holds no Kubernetes objects/],
      [
        "a directory without manifests",
        (dir) => {
          fs.mkdirSync(path.join(dir, "docs"));
          write(path.join(dir, "docs"), "a.txt", "x");
          return path.join(dir, "docs");
        },
        /docs: directory holds no \.yaml, \.yml or \.json files/,
      ],
    ];
    for (const [what, make, message] of cases) {
      it(`for ${what}`, async () => {
        const result = await lint([make(tempDir())]);
        assert.equal(result.code, 2);
        assert.match(result.stderr, message);
        assert.equal(result.stdout, "");
      });
    }
  });

  it("lints a manifest whose quoted strings hold {{…}} (a dashboard legend) instead of calling it a template", async () => {
    const dir = tempDir();
    const dashboard = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "dashboard", namespace: "monitoring" },
      data: { "egress.json": JSON.stringify({ legendFormat: "{{tenant}} → {{destination}}" }) },
    };
    write(dir, "platform.yaml", toYaml([...compliantPlatform(), dashboard]));
    const result = await lint([dir]);
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /template/);
  });

  describe("a directory run with files it cannot use", () => {
    it("lints every usable file, names each unusable one, and exits 1 on a mandatory violation", async () => {
      const dir = tempDir();
      write(dir, "platform.yaml", toYaml(weakened()));
      write(dir, "empty.yaml", "\n");
      write(dir, "chart.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n");
      write(dir, "values.yaml", "replicaCount: 2\n");
      const result = await lint([dir]);
      assert.equal(result.code, 1);
      assert.match(result.stdout, /mandatory service-entry-export-scoped/);
      assert.match(result.stdout, /3 input\(s\) could not be used/);
      assert.match(result.stderr, /empty\.yaml: holds no Kubernetes objects/);
      assert.match(result.stderr, /chart\.yaml: is a template/);
      assert.match(result.stderr, /values\.yaml, document 1: not a Kubernetes object/);
    });

    it("exits 2 when the usable files pass but some input could not be used", async () => {
      const dir = tempDir();
      write(dir, "platform.yaml", toYaml(compliantPlatform()));
      write(dir, "broken.yaml", "kind: [unclosed\n");
      const result = await lint([dir]);
      assert.equal(result.code, 2);
      assert.match(result.stdout, /No violations\./);
      assert.match(result.stderr, /broken\.yaml: not valid YAML/);
    });

    it("combines outcomes into one exit code: violation 1, else unusable input 2, else 0", () => {
      assert.deepEqual(
        [lintExitCode(1, 0), lintExitCode(1, 3), lintExitCode(0, 1), lintExitCode(0, 0)],
        [1, 1, 2, 0],
      );
    });
  });

  it("puts namespace-less objects in --namespace and reads in-cluster hosts under --cluster-domain", async () => {
    const entry = {
      apiVersion: "networking.istio.io/v1",
      kind: "ServiceEntry",
      metadata: { name: "paste" },
      spec: { hosts: ["pastebin.com"], exportTo: ["."], resolution: "DNS" },
    };
    const input = toYaml([...compliantPlatform(), entry]);
    const result = await lint(["-"], { format: "json", namespace: "payments" }, input);
    const records = JSON.parse(result.stdout) as LintRecord[];
    assert.deepEqual(
      records.map((r) => `${r.rule} ${r.namespace}/${r.name}`),
      ["service-entry-in-platform-namespace payments/paste"],
    );
    const alias = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "db", namespace: "payments" },
      spec: { type: "ExternalName", externalName: "db.data.svc.corp.example" },
    };
    const aliased = toYaml([...compliantPlatform(), alias]);
    assert.equal((await lint(["-"], {}, aliased)).code, 1);
    assert.equal((await lint(["-"], { clusterDomain: "corp.example" }, aliased)).code, 0);
  });

  describe("as the mesh-egress command", () => {
    it("reads stdin given as -, and exits 1 on the mission document's example", async () => {
      const result = await runCli(["lint", "-"], fs.readFileSync(MISSION_EXAMPLE, "utf8"));
      assert.equal(result.status, 1, result.stderr);
      assert.match(result.stdout, /gateway-authz-no-http-fields-on-tls/);
    });

    it("exits 0 on a compliant file with --environment dev --format json", async () => {
      const file = write(tempDir(), "ok.yaml", toYaml(compliantPlatform()));
      const result = await runCli(["lint", "--environment", "dev", "--format", "json", file]);
      assert.equal(result.status, 0, result.stderr);
      assert.deepEqual(JSON.parse(result.stdout), []);
    });

    it("exits 2 for an unknown environment, and with no path when no cluster answers", async () => {
      const staging = await runCli(["lint", "--environment", "staging", MISSION_EXAMPLE]);
      assert.equal(staging.status, 2);
      assert.match(staging.stderr, /argument 'staging' is invalid/);
      // No path means the live cluster of kubectl's current context; here there is none to read.
      const none = await runCli(["lint", "--kubeconfig", path.join(tempDir(), "absent-kubeconfig")]);
      assert.equal(none.status, 2);
      assert.match(none.stderr, /kubectl/);
    });

    it("exits 2 for unreadable input", async () => {
      const result = await runCli(["lint", path.join(tempDir(), "absent.yaml")]);
      assert.equal(result.status, 2);
      assert.match(result.stderr, /absent\.yaml: cannot read it/);
    });

    it("runs as the binary in a child process: stdin given as -, exit 1 on a mandatory violation", function () {
      this.timeout(120_000); // a child process on a shared machine
      const result = runCliProcess(["lint", "-"], fs.readFileSync(MISSION_EXAMPLE, "utf8"));
      assert.equal(result.status, 1, result.stderr);
      assert.match(result.stdout, /mandatory gateway-authz-no-http-fields-on-tls/);
    });
  });
});

function write(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

function toKubectlListObject(objects: readonly KubernetesObject[]): unknown {
  return { apiVersion: "v1", kind: "List", items: objects };
}
