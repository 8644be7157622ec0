import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { installPulumiMocks, registeredBy } from "./support/pulumi-harness";

before(installPulumiMocks);

/** The smallest custom resource: the harness is tested apart from the program's components. */
class Thing extends pulumi.CustomResource {
  constructor(name: string, props: Record<string, unknown>) {
    super("test:index:Thing", name, props);
  }
}

describe("the Pulumi mock harness", () => {
  it("returns resources registered inside applies, after the outputs they wait on resolve", async () => {
    const registered = await registeredBy(() => {
      const first = new Thing("first", { size: 1 });
      // Each is registered only once the previous one's URN resolves: a harness that stopped at the first
      // quiet moment would return without them.
      first.urn.apply(() => {
        const second = new Thing("second", { size: 2 });
        second.urn.apply(() => new Thing("third", { size: 3 }));
      });
    });
    assert.deepEqual(
      registered.map((r) => [r.name, r.inputs.size]),
      [
        ["first", 1],
        ["second", 2],
        ["third", 3],
      ],
    );
  });

  it("returns only what the given build registered, not an earlier build's resources", async () => {
    await registeredBy(() => new Thing("earlier", {}));
    const registered = await registeredBy(() => new Thing("mine", {}));
    assert.deepEqual(
      registered.map((r) => r.name),
      ["mine"],
    );
  });
});
