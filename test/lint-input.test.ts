import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Readable } from "stream";
import { stringify } from "yaml";
import { runLint } from "../cli/lint-command";
import { parseManifests, readManifests } from "../cli/read-manifests";
import { readBoundedFile } from "../stacks/bounded-text";

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-lint-input-"));
}

const configMap = (name: string, namespace = "apps") => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace },
  data: { k: "v" },
});

async function lint(inputs: string[], gatewayNamespace?: string) {
  let stdout = "";
  let stderr = "";
  const code = await runLint(
    {
      inputs,
      environment: "prod",
      format: "text",
      ...(gatewayNamespace !== undefined ? { gatewayNamespace } : {}),
    },
    {
      stdin: Readable.from([""]),
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t) },
    },
  );
  return { code, stdout, stderr };
}

describe("lint input robustness", () => {
  it("reads 200k objects from one input without overflowing the call stack", async () => {
    const dir = tempDir();
    const items = Array.from({ length: 200_000 }, (_, i) => configMap(`cm-${i}`));
    fs.writeFileSync(path.join(dir, "many.json"), JSON.stringify({ apiVersion: "v1", kind: "List", items }));
    const { objects } = await readManifests([path.join(dir, "many.json")], async () => "");
    assert.equal(objects.length, 200_000);
  });

  it("refuses an alias bomb, naming the file and the document", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
      .concat(
        Array.from(
          { length: 8 },
          (_, i) => `${"bcdefghi"[i]}: &${"bcdefghi"[i]} [${Array(10).fill(`*${"abcdefgh"[i]}`).join(", ")}]`,
        ),
      )
      .join("\n");
    assert.throws(
      () => parseManifests(`---\n${stringify(configMap("x"))}---\n${bomb}\n`, "bomb.yaml", false),
      (e: Error) => {
        assert.match(e.message, /^bomb\.yaml: not valid YAML in document 2 \(.*alias/i);
        return true;
      },
    );
  });

  it("reads a quoted string that kubectl folded onto a line starting with {{ as data, not a template", () => {
    const exported = [
      "apiVersion: monitoring.coreos.com/v1",
      "kind: PrometheusRule",
      "metadata: {name: egress, namespace: istio-egress}",
      "spec:",
      "  groups:",
      "  - name: egress",
      "    rules:",
      "    - alert: TenantDenied",
      "      expr: vector(1)",
      "      annotations:",
      "        description: 'Tenant over 5x its own rate of the previous hour:",
      "          {{ $labels.tenant }} through the gateway'",
      "",
    ].join("\n");
    const [{ object }] = parseManifests(exported, "live.yaml", false);
    assert.equal(
      (object.spec as any).groups[0].rules[0].annotations.description,
      "Tenant over 5x its own rate of the previous hour: {{ $labels.tenant }} through the gateway",
    );
  });

  for (const [title, template] of [
    [
      "an unquoted template value",
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n",
    ],
    [
      "a template list item",
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  - {{ .Values.x }}\n",
    ],
    ["a template action line", "{{- if .Values.enabled }}\napiVersion: v1\nkind: ConfigMap\n{{- end }}\n"],
  ]) {
    it(`refuses ${title} as a chart template`, () => {
      assert.throws(
        () => parseManifests(template, "chart.yaml", false),
        (e: Error) => /^chart\.yaml: is a template/.test(e.message),
      );
    });
  }

  it("follows a symlinked directory and lints what is inside it", async () => {
    const dir = tempDir();
    const target = tempDir();
    fs.writeFileSync(path.join(target, "inside.yaml"), stringify(configMap("inside")));
    fs.writeFileSync(path.join(dir, "top.yaml"), stringify(configMap("top")));
    fs.symlinkSync(target, path.join(dir, "linked"));
    const { objects } = await readManifests([dir], async () => "");
    assert.deepEqual(objects.map((o) => o.object.metadata.name).sort(), ["inside", "top"]);
  });

  it("reports a symbolic link loop instead of walking it or skipping it", async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, "sub"));
    fs.writeFileSync(path.join(dir, "sub", "a.yaml"), stringify(configMap("a")));
    fs.symlinkSync(dir, path.join(dir, "sub", "loop"));
    const result = await lint([dir]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /symbolic link loop/);
    assert.equal(result.stdout, "");
  });

  it("says which hidden entries a directory walk skips, instead of skipping them silently", async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, ".hidden"));
    fs.writeFileSync(path.join(dir, ".hidden", "x.yaml"), stringify(configMap("hidden")));
    fs.writeFileSync(path.join(dir, "a.yaml"), stringify(configMap("a")));
    const result = await lint([dir]);
    assert.match(
      result.stderr,
      new RegExp(`skipped hidden ${path.join(dir, ".hidden").replace(/[.]/g, "\\.")}`),
    );
    assert.match(result.stdout, /Linted 1 object/);
  });

  it("reads a custom resource whose kind ends in List as an object, not a list", () => {
    const allowList = {
      apiVersion: "example.com/v1",
      kind: "AllowList",
      metadata: { name: "partners", namespace: "apps" },
      items: [{ cidr: "203.0.113.0/24" }],
    };
    const objects = parseManifests(stringify(allowList), "crd.yaml", false);
    assert.deepEqual(
      objects.map((o) => o.object.kind),
      ["AllowList"],
    );
  });

  it("reports an object declared twice, naming both places", async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "a.yaml"), stringify(configMap("same")));
    fs.writeFileSync(path.join(dir, "b.yaml"), stringify(configMap("same")));
    const result = await lint([dir]);
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /b\.yaml, document 1: ConfigMap\. apps\/same is declared twice \(also .*a\.yaml, document 1\)/,
    );
  });

  it("refuses a --gateway-namespace that is not a namespace name", async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "a.yaml"), stringify(configMap("a")));
    const result = await lint([path.join(dir, "a.yaml")], "Istio_Egress");
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--gateway-namespace "Istio_Egress" is not a namespace name/);
  });

  it("refuses /dev/zero at once as binary, without echoing it", async () => {
    const result = await lint(["/dev/zero"]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /\/dev\/zero: is binary, not text/);
    assert.ok(!result.stderr.includes("\0"), "no NUL byte is echoed");
  });

  it("stops reading an endless text input at the byte cap, with a clear error", () => {
    const dir = tempDir();
    const file = path.join(dir, "big.yaml");
    fs.writeFileSync(file, "a: b\n".repeat(1000));
    assert.throws(() => readBoundedFile(file, 4096), /larger than 4096 bytes: refused/);
    assert.equal(readBoundedFile(file, 5000).length, 5000);
  });

  it("says UTF-16 is not supported", async () => {
    const dir = tempDir();
    const file = path.join(dir, "utf16.yaml");
    fs.writeFileSync(
      file,
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(stringify(configMap("a")), "utf16le")]),
    );
    const result = await lint([file]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /UTF-16 is not supported/);
  });
});
