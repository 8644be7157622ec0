import { strict as assert } from "assert";
import { renderDocuments } from "../cli/render";
import { loadStackFile } from "../stacks/load-config";
import { projectStack, UNSEEN_STACK_FILE } from "./support/stacks";
import { findUncheckedKind } from "./support/unchecked-kinds";
import {
  describeWithUpstreamSchemas,
  formatConformanceReport,
  validateRenderedObjects,
} from "./support/upstream-schemas";

const renders = [
  ["the dev render", () => renderDocuments(projectStack("dev"))],
  ["the prod render", () => renderDocuments(projectStack("prod"))],
  ["the render of an unseen stack file", () => renderDocuments(loadStackFile(UNSEEN_STACK_FILE))],
] as const;

for (const [title, render] of renders) {
  describeWithUpstreamSchemas(`${title} against the official schemas`, (schemasDir) => {
    it("validates every custom resource, Flux's included, and the charts' values, unknown fields and CEL rules included", () => {
      const documents = render();
      const report = validateRenderedObjects(schemasDir, documents);
      assert.deepEqual(report.failures, [], formatConformanceReport(report));
      assert.deepEqual(report.unevaluatedRules, [], "every CEL rule that applies was evaluated");
      // Every document but the built-in kinds has a CRD in the upstream set: Istio, cert-manager, Flux, ….
      const customResources = documents.filter((d) => !findUncheckedKind(d.apiVersion, d.kind));
      const validatedSubjects = formatConformanceReport(report);
      for (const group of ["istio.io", "fluxcd.io"])
        assert.ok(
          customResources.some((d) => d.apiVersion.includes(group)),
          `the render has ${group} kinds`,
        );
      for (const cr of customResources) {
        // Cluster-scoped kinds (ClusterIssuer) have no namespace in their subject.
        const name = cr.metadata.namespace
          ? `${cr.metadata.namespace}/${cr.metadata.name}`
          : cr.metadata.name;
        assert.ok(
          report.validated.some((v) => v.subject === `${cr.apiVersion} ${cr.kind} ${name}`),
          `${cr.kind} ${name} was schema-checked, not skipped:\n${validatedSubjects}`,
        );
      }
      assert.ok(
        report.validated.some((v) => JSON.stringify(v).includes("gateway")),
        "the gateway chart's values were checked against values.schema.json",
      );
    });
  });
}
