import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { PROJECT_DIR } from "./support/stacks";

function json(file: string): any {
  return JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, file), "utf8"));
}

describe("one Pulumi version across the SDK, the policy pack and CI's CLI", () => {
  const sdk = json("package.json").dependencies["@pulumi/pulumi"];

  it("pins the same @pulumi/pulumi in the program and the policy pack", () => {
    assert.match(sdk, /^\d+\.\d+\.\d+$/);
    assert.equal(json("policy/package.json").dependencies["@pulumi/pulumi"], sdk);
  });

  it("runs CI's previews and updates with the Pulumi CLI at the SDK's version", () => {
    const workflow = parse(
      fs.readFileSync(path.join(PROJECT_DIR, ".github/workflows/pulumi-stack.yml"), "utf8"),
    );
    const step = workflow.jobs.pulumi.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@"));
    assert.equal(String(step.with["pulumi-version"]), sdk);
  });

  it("keeps the npx wrapper (the fallback) at or below the SDK, so PULUMI_VERSION=<sdk> is what the README asks", () => {
    const wrapper = json("package.json").devDependencies.pulumi as string;
    const [a, b] = [wrapper, sdk].map((v) => v.split(".").map(Number));
    assert.ok(a[0] === b[0] && a[1] <= b[1], `wrapper ${wrapper}, SDK ${sdk}`);
    const readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
    assert.ok(
      readme.includes(`PULUMI_VERSION=${sdk} npx pulumi`),
      "the README's fallback downloads the SDK's version",
    );
  });
});
