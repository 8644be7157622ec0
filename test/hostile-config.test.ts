import { strict as assert } from "assert";
import { renderDocuments } from "../cli/render";
import { loadPolicyConfig } from "../cli/lint-command";
import { evaluate } from "../policy/engine/evaluate";
import type { KubernetesObject } from "../policy/contract";
import { ConfigError } from "../stacks/model/config-error";
import { parseEgressConfig, selectNamespacedValues } from "../stacks/load-config";
import {
  acceptedEdgeConfigs,
  hostileCorpus,
  messageCases,
  placementCases,
  tierCases,
  validDevStack,
  valueCases,
  walkAroundCases,
} from "./support/hostile-config-corpus";
import { itRefusesEach, type Stack } from "./support/malformed-config";
import { installPulumiMocks } from "./support/pulumi-harness";

before(installPulumiMocks);

/** The stack as the engine hands it over: JSON round trip, namespaced keys. */
function asPulumiConfig(stack: Stack): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(stack).map(([key, value]) => [
      key.includes(":") ? key : `mesh-egress:${key}`,
      JSON.parse(JSON.stringify(value)),
    ]),
  );
}

/** Validates like `render`; undefined when refused. */
function accepted(stack: Stack) {
  try {
    return parseEgressConfig(selectNamespacedValues(asPulumiConfig(stack), "test"), "test");
  } catch (err) {
    if (err instanceof ConfigError) return undefined;
    throw err;
  }
}

function mandatoryFindings(stack: Stack): string[] {
  const config = accepted(stack);
  if (!config) return [];
  const objects = JSON.parse(JSON.stringify(renderDocuments(config))) as KubernetesObject[];
  // Levels and settings as `lint` applies them (dev lets guardrails warn instead of deny).
  return evaluate(objects, loadPolicyConfig(config.environment))
    .findings.filter((f) => f.enforcement === "mandatory")
    .map((f) => `${f.rule}: ${f.message}`);
}

describe("hostile configuration", () => {
  describe("dangerous placements are refused", () => itRefusesEach(placementCases, validDevStack));
  describe("checks cannot be walked around", () => itRefusesEach(walkAroundCases, validDevStack));
  describe("values Kubernetes, Helm or Flux would reject are refused", () =>
    itRefusesEach(valueCases, validDevStack));
  describe("configs that would fail the pack at their tier are refused", () =>
    itRefusesEach(tierCases, validDevStack));
  describe("messages say what is wrong", () => itRefusesEach(messageCases, validDevStack));

  describe("every accepted config lints clean at its tier", () => {
    for (const c of hostileCorpus) {
      it(`${c.title}: refused, or its render has no mandatory finding`, () => {
        const stack = validDevStack();
        c.mutate(stack);
        assert.deepEqual(mandatoryFindings(stack), []);
      });
    }
    for (const c of acceptedEdgeConfigs) {
      it(`${c.title}: accepted, and its render has no mandatory finding`, () => {
        const stack = validDevStack();
        c.mutate(stack);
        assert.ok(accepted(stack), "the config is accepted");
        assert.deepEqual(mandatoryFindings(stack), []);
      });
    }
  });

  it("renders an allow-nothing policy at the gateway when no tenant is granted anything", () => {
    const stack = validDevStack();
    stack.tenants = [{ namespace: "payments", allow: [] }];
    const config = accepted(stack);
    assert.ok(config);
    const policies = renderDocuments(config).filter((o) => o.kind === "AuthorizationPolicy");
    assert.deepEqual(
      policies.map((p) => [p.metadata.namespace, p.metadata.name, p.spec]),
      [
        [
          "istio-egress",
          "istio-egressgateway-allow-nothing",
          { selector: { matchLabels: { istio: "egressgateway" } }, action: "ALLOW" },
        ],
      ],
    );
  });

  it("renders a pinned address in its normalised form", () => {
    const stack = validDevStack();
    stack.services[1].pinnedAddresses = ["::ffff:203.0.113.7"];
    const config = accepted(stack);
    assert.deepEqual(config?.services[1].pinnedAddresses, ["203.0.113.7"]);
  });

  it("leaves the values object without a prototype, so no user key can reach one", () => {
    const values = selectNamespacedValues(
      { "mesh-egress:environment": "dev", "kubernetes:context": "x" },
      "test",
    );
    assert.equal(Object.getPrototypeOf(values), null);
    assert.deepEqual(Object.keys(values), ["environment"]);
  });
});
