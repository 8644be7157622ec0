import { strict as assert } from "assert";
import { syntheticStack } from "../bench/synthetic-stack";
import { parseEgressConfig } from "../stacks/load-config";
import { routingModes } from "../stacks/routing-modes";

describe("the benchmark's synthetic registry", () => {
  it("stays a valid stack that uses every routing mode, so npm run bench measures what it says", () => {
    const config = parseEgressConfig(syntheticStack(20, 10), "bench");
    assert.equal(config.services.length, 20);
    assert.equal(config.tenants.length, 10);
    assert.deepEqual([...new Set(config.services.map((s) => s.mode))].sort(), [...routingModes].sort());
  });
});
