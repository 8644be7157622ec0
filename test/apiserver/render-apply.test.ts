import { strict as assert } from "assert";
import { syntheticStack } from "../../bench/synthetic-stack";
import { renderDocuments } from "../../cli/render";
import type { KubernetesObject } from "../../components/kubernetes-object";
import type { EgressConfig } from "../../stacks/model/egress-config";
import { loadStackFile, parseEgressConfig } from "../../stacks/load-config";
import { describeWithApiServer } from "../support/envtest/shared-api-server";
import {
  applyStrict,
  ensurePreexistingNamespaces,
  objectId,
  uninstall,
} from "../support/envtest/server-side-apply";
import { projectStack, UNSEEN_STACK_FILE } from "../support/stacks";

const stacks: readonly (readonly [string, () => EgressConfig])[] = [
  ["the dev render", () => projectStack("dev")],
  ["the prod render", () => projectStack("prod")],
  ["the render of an unseen stack file", () => loadStackFile(UNSEEN_STACK_FILE)],
  // Every routing mode many times over, and tenants allowed ten services each.
  [
    "the render of a synthetic 40-service, 20-tenant stack",
    () => parseEgressConfig(syntheticStack(40, 20), "synthetic"),
  ],
];

/** Flux's CRDs default `status.observedGeneration` to -1: the first update persists that default, once. */
const STATUS_DEFAULTING_KINDS = new Set(["HelmRepository", "HelmRelease"]);

const resourceVersions = (applied: Map<string, KubernetesObject>) =>
  new Map([...applied].map(([id, object]) => [id, object.metadata.resourceVersion]));

function withoutResourceVersion(object: KubernetesObject): unknown {
  return { ...object, metadata: { ...object.metadata, resourceVersion: undefined } };
}

for (const [title, config] of stacks) {
  describeWithApiServer(`${title} on a real API server`, (server) => {
    let documents: KubernetesObject[];
    let firstApply: Map<string, KubernetesObject> | undefined;

    before(async function () {
      this.timeout(120_000);
      documents = renderDocuments(config());
      await ensurePreexistingNamespaces(server(), documents);
    });
    after(async function () {
      this.timeout(120_000);
      await uninstall(server(), documents);
    });

    it("is accepted by server-side apply with strict field validation, built-in kinds included", async function () {
      this.timeout(120_000);
      firstApply = await applyStrict(server(), documents);
      assert.deepEqual([...firstApply.keys()].sort(), documents.map(objectId).sort());
      assert.ok(
        documents.some((d) => d.apiVersion === "networking.k8s.io/v1") &&
          documents.some((d) => d.kind === "Namespace"),
        "the render holds built-in kinds, which only the API server validates",
      );
    });

    it("applies again without changing anything: same objects, same resourceVersions", async function () {
      this.timeout(120_000);
      assert.ok(firstApply, "the first apply succeeded");
      const second = await applyStrict(server(), documents);
      const rewritten = [...second].filter(
        ([id, object]) => firstApply!.get(id)?.metadata.resourceVersion !== object.metadata.resourceVersion,
      );
      // Only the server's own status default may be persisted, and the objects must read the same.
      assert.deepEqual(
        rewritten.filter(([, object]) => !STATUS_DEFAULTING_KINDS.has(object.kind)).map(([id]) => id),
        [],
      );
      for (const [id, object] of rewritten) {
        assert.deepEqual(withoutResourceVersion(object), withoutResourceVersion(firstApply.get(id)!), id);
      }
      const third = await applyStrict(server(), documents);
      assert.deepEqual(resourceVersions(third), resourceVersions(second));
    });
  });
}

describeWithApiServer("strict field validation on a real API server", (server) => {
  const misspelled = {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "misspelled", namespace: "default" },
    spec: { podSelector: {}, policyTypes: ["Egress"], egres: [] },
  };

  it("refuses a built-in kind with a misspelled field on the server itself, naming the field", async () => {
    // Straight to the API, so no kubectl-side check can stand in for the server's.
    const result = await server().kubectl(
      [
        "create",
        "--raw",
        "/apis/networking.k8s.io/v1/namespaces/default/networkpolicies?fieldValidation=Strict&dryRun=All",
        "-f",
        "-",
      ],
      JSON.stringify(misspelled),
    );
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /unknown field "spec\.egres"/);
  });

  it("makes applyStrict refuse the same object", async () => {
    await assert.rejects(
      applyStrict(server(), [misspelled], { dryRun: true }),
      /unknown field "(spec\.)?egres"/,
    );
  });
});
