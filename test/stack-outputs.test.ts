import { strict as assert } from "assert";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { loadStackFile, selectNamespacedValues } from "../stacks/load-config";
import { installPulumiMocks } from "./support/pulumi-harness";
import { runProgram } from "./support/run-program";
import { PROJECT_DIR } from "./support/stacks";

before(installPulumiMocks);

/** Resolves an Output's value under the mock runtime. */
function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

describe("the program's stack outputs for the prod stack", () => {
  let outputs: Record<string, pulumi.Output<unknown>>;
  before(async () => {
    // The prod stack file's values, fed to the program as the engine would.
    const { parse } = await import("yaml");
    const fs = await import("fs");
    const config = parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.prod.yaml"), "utf8")).config;
    const run = await runProgram(selectNamespacedValues(config, "test"));
    assert.equal(run.error, undefined);
    outputs = run.outputs;
  });

  it("exports the gateway's in-mesh service host", async () => {
    assert.equal(
      await valueOf(outputs.gatewayServiceHost),
      "istio-egressgateway.istio-egress.svc.cluster.local",
    );
  });

  it("exports each tenant's allowed host:port destinations", async () => {
    const destinations = (await valueOf(outputs.allowedDestinations)) as Record<string, string[]>;
    const prod = loadStackFile(path.join(PROJECT_DIR, "Pulumi.prod.yaml"));
    assert.deepEqual(
      Object.keys(destinations),
      prod.tenants.map((t) => t.namespace),
    );
    assert.deepEqual(destinations.payments, [
      "api.stripe.com:443",
      "files.stripe.com:443",
      "acme.eu.auth0.com:443",
    ]);
    assert.deepEqual(destinations.storefront, ["acme.eu.auth0.com:443"]);
  });

  it("exports a registry summary naming every service, its mode and the tenants that use it", async () => {
    const registry = (await valueOf(outputs.registry)) as { name: string; mode: string; tenants: string[] }[];
    const identity = registry.find((entry) => entry.name === "identity");
    assert.equal(identity?.mode, "passthrough-mtls");
    assert.deepEqual(identity?.tenants, ["payments", "assistant", "storefront"]);
    assert.equal(registry.length, loadStackFile(path.join(PROJECT_DIR, "Pulumi.prod.yaml")).services.length);
  });
});
