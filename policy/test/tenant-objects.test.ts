import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify as stringifyYaml } from "yaml";
import { parseManifests } from "../../cli/read-manifests";
import { KubernetesObject } from "../contract";
import { describeFindings, lint, render, STACKS } from "./rendered-stack";

/**
 * Tenant objects in the shapes Istio, Gateway API, Cilium and Calico document, read through lint's own manifest
 * reader and judged beside the prod render: each hostile one is caught by exactly the rules it names, no benign
 * one is flagged.
 */
const FIXTURES = path.join(__dirname, "fixtures", "tenant-objects");
const EXPECT = "test.mesh-egress.io/expect";

function fixture(name: string): KubernetesObject[] {
  const file = path.join(FIXTURES, name);
  return parseManifests(fs.readFileSync(file, "utf8"), file, false).map((o) => o.object);
}

const expected = (o: KubernetesObject): string[] =>
  String(o.metadata.annotations?.[EXPECT] ?? "")
    .split(",")
    .filter((r) => r !== "")
    .sort();

describe("tenant objects in their projects' own shapes, beside the prod render", function () {
  this.timeout(30000);
  const prod = render(STACKS.prod).objects;
  const hostile = fixture("hostile.yaml");
  const benign = fixture("benign.yaml");

  it("flags none of the benign objects, all of them applied together", () => {
    assert.ok(benign.length >= 21, "the benign fixture should hold every compliant neighbour");
    const findings = lint([...prod, ...benign], "prod");
    assert.deepEqual(findings, [], describeFindings(findings));
  });

  for (const object of hostile) {
    const rules = expected(object);
    it(`catches ${object.apiVersion} ${object.kind} ${object.metadata.name} by ${rules.join(" and ")} alone`, () => {
      assert.ok(rules.length > 0, `the fixture must say which rules catch ${object.metadata.name}`);
      const findings = lint([...prod, object], "prod");
      assert.deepEqual([...new Set(findings.map((f) => f.rule))].sort(), rules, describeFindings(findings));
      assert.ok(findings.every((f) => f.name === object.metadata.name && f.enforcement === "mandatory"));
    });
  }

  it("catches every hostile object read back from one kubectl List, beside the benign ones", () => {
    const list = { apiVersion: "v1", kind: "List", items: [...benign, ...hostile] };
    const objects = parseManifests(stringifyYaml(list), "list.yaml", false).map((o) => o.object);
    const flagged = new Set(lint([...prod, ...objects], "prod").map((f) => f.name));
    assert.deepEqual(
      hostile.map((o) => o.metadata.name).filter((n) => !flagged.has(n)),
      [],
    );
    assert.deepEqual(
      benign.map((o) => o.metadata.name).filter((n) => flagged.has(n)),
      [],
    );
  });
});
