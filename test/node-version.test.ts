import { strict as assert } from "assert";
import { nodeVersionProblem, REQUIRED_NODE } from "../cli/node-version";

describe("the Node.js version check the bin runs first", () => {
  it("takes the required range from package.json's engines, which the Pulumi SDK's engines also require", () => {
    const sdk = require("@pulumi/pulumi/package.json") as { engines: { node: string } };
    assert.equal(REQUIRED_NODE, ">=22");
    assert.equal(sdk.engines.node, REQUIRED_NODE);
  });

  it("accepts Node 22 and later", () => {
    for (const version of ["22.0.0", "22.23.3", "24.1.0", "25.0.0-nightly20261101"])
      assert.equal(nodeVersionProblem(version), undefined);
  });

  it("refuses Node 20 in one message that names both versions and how to install Node 22", () => {
    const message = nodeVersionProblem("20.20.2");
    assert.ok(message);
    assert.match(message, /Node\.js 22 or newer is required; this is Node\.js v20\.20\.2/);
    assert.match(message, /nvm install 22/);
    assert.match(message, /npm install --prefix ~\/\.node22 node@22/);
  });
});
