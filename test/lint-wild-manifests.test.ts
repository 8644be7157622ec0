import * as assert from "node:assert/strict";
import * as path from "node:path";
import type { LintRecord } from "../cli/lint-command";
import { runCli } from "./support/run-cli";

/**
 * Manifests in the shapes people write outside this project (istio.io docs, istioctl inputs, charts),
 * as small fixtures of our own in test/fixtures/lint-wild: each names the shape it follows.
 */
const WILD = path.join(__dirname, "fixtures", "lint-wild");
const fixture = (name: string) => path.join(WILD, name);

/** `lint --format json` on one fixture: "rule Kind namespace/name file:line" per record. */
async function findings(name: string, ...extra: string[]): Promise<string[]> {
  const run = await runCli(["lint", fixture(name), "--format", "json", ...extra]);
  assert.ok(run.status === 0 || run.status === 1, run.stderr);
  return (JSON.parse(run.stdout) as LintRecord[]).map(
    (r) =>
      `${r.rule} ${r.kind} ${r.namespace ?? "-"}/${r.name} ${r.file ? path.relative(WILD, r.file) : "-"}:${r.line ?? "-"}`,
  );
}

const UNKNOWN_GATEWAY = "lint-gateway-namespace-unknown  -/ -:-";

describe("lint on manifests in the shapes found in the wild", () => {
  it("reads a local rate limit through its udpa TypedStruct wrapper: enabled at 100 %, it limits", async () => {
    assert.deepEqual(await findings("typed-struct-rate-limit-enabled.yaml"), [UNKNOWN_GATEWAY]);
  });

  it("reads an xds TypedStruct wrapper too, and names the file and line of a filter that enforces nothing", async () => {
    const onFilters = (await findings("typed-struct-rate-limit-shadow.yaml")).filter((f) =>
      / EnvoyFilter /.test(f),
    );
    assert.deepEqual(onFilters, [
      "local-rate-limit-enforced EnvoyFilter istio-egress/egress-local-ratelimit-shadow typed-struct-rate-limit-shadow.yaml:2",
    ]);
  });

  it("judges an ingress gateway's route that sends a share of traffic to an external host", async () => {
    assert.deepEqual(await findings("ingress-gateway-shifts-to-external.yaml"), [
      "mesh-routes-external-hosts-via-gateway VirtualService shop/shop ingress-gateway-shifts-to-external.yaml:28",
      UNKNOWN_GATEWAY,
    ]);
  });

  it("reads an IstioOperator without metadata as istioctl does, under its default name", async () => {
    assert.deepEqual(await findings("istio-operator-without-metadata.yaml"), [
      "control-plane-registry-only IstioOperator istio-system/installed-state istio-operator-without-metadata.yaml:3",
      UNKNOWN_GATEWAY,
    ]);
  });

  it("says in JSON when no gateway namespace was found, and not when --gateway-namespace gives it", async () => {
    const given = await findings(
      "istio-operator-without-metadata.yaml",
      "--gateway-namespace",
      "istio-egress",
    );
    assert.ok(given.length > 0 && !given.includes(UNKNOWN_GATEWAY), given.join("\n"));
    const run = await runCli(["lint", fixture("typed-struct-rate-limit-enabled.yaml"), "--format", "json"]);
    const record = (JSON.parse(run.stdout) as LintRecord[])[0];
    assert.match(record.message, /gateway namespace unknown: .*pass --gateway-namespace/);
    assert.equal(record.enforcement, "advisory");
  });

  it("names the file and line of every finding in text, or that its object is not in the input", async () => {
    const run = await runCli(["lint", WILD, "--gateway-namespace", "istio-egress"]);
    const lines = run.stdout.split("\n").filter((l) => /^(mandatory|advisory)/.test(l));
    assert.ok(lines.length >= 3, run.stdout);
    for (const line of lines) {
      const object = /^\S+\s+[^:]+: (\w+) /.exec(line)?.[1];
      // The gateway's Namespace is named by --gateway-namespace only: no file holds it.
      const where =
        object === "Namespace"
          ? /\[no object in the input\]$/
          : /\[[^\]]*test\/fixtures\/lint-wild\/[a-z-]+\.yaml:\d+\]$/;
      assert.match(line, where, line);
    }
  });
});
