import { strict as assert } from "assert";
import { renderDocuments, toMultiDocumentYaml } from "../cli/render";
import type { TraceResult } from "../cli/trace-path";
import { runCli } from "./support/run-cli";
import { projectStack } from "./support/stacks";

describe("mesh-egress trace on the command line", function () {
  this.timeout(60_000);

  it("exits 0 and ends with the allowed line for a granted path of a stack", async () => {
    const { status, stdout, stderr } = await runCli([
      "trace",
      "--stack",
      "prod",
      "--from",
      "payments",
      "--to",
      "api.stripe.com:443",
    ]);
    assert.equal(stderr, "");
    assert.equal(status, 0);
    assert.match(stdout, /^trace payments\/default → api\.stripe\.com:443\n/);
    assert.match(stdout, /\n {2}ok {5}authorization +AuthorizationPolicy istio-egress\/tenant-payments: /);
    assert.ok(stdout.endsWith("allowed through the gateway (istio-egress/stripe)\n"), stdout);
  });

  it("exits 1 with the deciding object and the fix for a path the stack does not grant, as JSON", async () => {
    const { status, stdout } = await runCli([
      "trace",
      "--stack",
      "prod",
      "--from",
      "storefront",
      "--to",
      "api.openai.com",
      "--format",
      "json",
    ]);
    assert.equal(status, 1);
    const result = JSON.parse(stdout) as TraceResult;
    assert.deepEqual(result.outcome, {
      kind: "denied",
      hop: "registry",
      object: "ServiceEntry istio-egress/openai",
      reason:
        "ServiceEntry istio-egress/openai registers api.openai.com but is not exported to storefront, and the Sidecar is REGISTRY_ONLY",
      fix: "add openai to the allow list of tenant storefront (tenants[].allow in the stack file)",
    });
  });

  it("reads manifests from stdin like lint, and exits 1 on a bypass", async () => {
    const documents = renderDocuments(projectStack("prod")).filter(
      (d) => !(d.kind === "NetworkPolicy" && d.metadata.namespace === "payments"),
    );
    const { status, stdout } = await runCli(
      ["trace", "--from", "payments", "--to", "pastebin.com:443", "-"],
      toMultiDocumentYaml(documents),
    );
    assert.equal(status, 1);
    assert.match(stdout, /\nreaches the host without the gateway \(tenant-egress-default-deny\): /);
  });

  const prodTo = ["--stack", "prod", "--from", "payments", "--to"];
  for (const [what, args, message] of [
    [
      "a namespace that is not one",
      ["--stack", "prod", "--from", "Payments", "--to", "api.stripe.com"],
      /--from "Payments": give <namespace>\[\/<serviceaccount>\]/,
    ],
    [
      "a URL given as --to",
      [...prodTo, "https://api.stripe.com"],
      /--to "https:\/\/api\.stripe\.com": a URL is not a host/,
    ],
    ["a port out of range", [...prodTo, "api.stripe.com:99999"], /port 99999 is not 1-65535/],
    [
      "a --now that is not RFC 3339",
      [...prodTo, "api.stripe.com", "--now", "tomorrow"],
      /--now "tomorrow" is not an RFC 3339 time/,
    ],
    ["an unknown stack", ["--stack", "nonesuch", "--from", "payments", "--to", "api.stripe.com"], /nonesuch/],
    [
      "a stack and manifest paths at once",
      [...prodTo, "api.stripe.com", "out/prod.yaml"],
      /give one of --stack\/--stack-file, manifest paths, or --kubeconfig\/--context/,
    ],
  ] as const) {
    it(`exits 2 with a message naming the flag for ${what}`, async () => {
      const { status, stdout, stderr } = await runCli(["trace", ...args]);
      assert.equal(status, 2, stderr);
      assert.equal(stdout, "");
      assert.match(stderr, message);
    });
  }
});
