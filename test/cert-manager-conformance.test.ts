import { strict as assert } from "assert";
import { buildCertManagerManifests } from "../components/cert-manager";
import type { KubernetesObject } from "../components/kubernetes-object";
import {
  buildOriginationCertificateManifests,
  originationObjectsInApplyOrder,
} from "../components/origination-certificates";
import { renderDocuments } from "../cli/render";
import { certificateStackValues } from "./support/certificate-fixtures";
import { configFrom } from "./support/config-fixtures";
import { projectStack } from "./support/stacks";
import {
  checkChartValues,
  describeWithUpstreamSchemas,
  formatConformanceReport,
  formatOutcome,
  issuesOf,
  loadCrdCatalog,
  validateRenderedObjects,
} from "./support/upstream-schemas";

const isCertManagerObject = (o: KubernetesObject) => o.apiVersion.startsWith("cert-manager.io/");

describeWithUpstreamSchemas("cert-manager objects against the official v1.21.1 CRDs", (schemasDir) => {
  const catalog = () => loadCrdCatalog(schemasDir);
  const everyIssuerKind = () =>
    originationObjectsInApplyOrder(
      buildOriginationCertificateManifests(configFrom(certificateStackValues("dev"))),
    );

  it("validates every Issuer, ClusterIssuer and Certificate built for a stack with every issuer kind", () => {
    const objects = everyIssuerKind();
    const report = validateRenderedObjects(schemasDir, objects, []);
    assert.deepEqual(report.failures, [], formatConformanceReport(report));
    assert.deepEqual(report.unevaluatedRules, []);
    const certManagerObjects = objects.filter(isCertManagerObject);
    assert.deepEqual([...new Set(certManagerObjects.map((o) => o.kind))].sort(), [
      "Certificate",
      "ClusterIssuer",
      "Issuer",
    ]);
    assert.equal(
      report.validated.filter((v) => v.subject.startsWith("cert-manager.io/")).length,
      certManagerObjects.length,
      "every cert-manager object was schema-checked, none skipped",
    );
  });

  for (const stack of ["dev", "prod"] as const) {
    it(`validates the ${stack} render's cert-manager objects and its cert-manager values`, () => {
      const documents = renderDocuments(projectStack(stack));
      const report = validateRenderedObjects(schemasDir, documents);
      assert.deepEqual(report.failures, [], formatConformanceReport(report));
      assert.ok(documents.filter(isCertManagerObject).length >= 2, "an issuer and a certificate at least");
      assert.ok(
        report.validated.some(
          (v) => v.subject === "chart cert-manager v1.21.1 (release cert-manager/cert-manager)",
        ),
        formatConformanceReport(report),
      );
    });
  }

  it("validates the cert-manager values of both tiers, and of an overridden one, against values.schema.json", () => {
    for (const values of [
      certificateStackValues("dev"),
      certificateStackValues("prod"),
      { ...certificateStackValues("prod"), certManager: { install: true, controller: { replicas: 3 } } },
    ]) {
      const outcome = checkChartValues(schemasDir, buildCertManagerManifests(configFrom(values)).chart);
      assert.equal(outcome.status, "validated", formatOutcome(outcome));
    }
  });

  it("counts an unknown field in a built Certificate as an error, as kubectl --validate=strict does", () => {
    const certificate = structuredClone(everyIssuerKind().find((o) => o.kind === "Certificate")!) as any;
    certificate.spec.privateKey.rotation = "Always";
    const issues = issuesOf(catalog().validate(certificate));
    assert.ok(
      issues.some((i) => i.path === "spec.privateKey.rotation" && /unknown field/.test(i.message)),
      JSON.stringify(issues),
    );
  });

  it("rejects a built Certificate whose usage cert-manager does not know", () => {
    const certificate = structuredClone(everyIssuerKind().find((o) => o.kind === "Certificate")!) as any;
    certificate.spec.usages = ["client authentication"];
    const issues = issuesOf(catalog().validate(certificate));
    assert.ok(
      issues.some((i) => i.path === "spec.usages[0]"),
      JSON.stringify(issues),
    );
  });

  it("rejects a built Vault issuer with a misspelt auth field", () => {
    const issuer = structuredClone(
      everyIssuerKind().find((o) => o.kind === "Issuer" && (o.spec as any).vault)!,
    ) as any;
    issuer.spec.vault.auth.kubernetes.serviceAccount = issuer.spec.vault.auth.kubernetes.serviceAccountRef;
    const issues = issuesOf(catalog().validate(issuer));
    assert.ok(
      issues.some((i) => i.path === "spec.vault.auth.kubernetes.serviceAccount"),
      JSON.stringify(issues),
    );
  });

  it("rejects cert-manager values the chart does not know", () => {
    const { chart } = buildCertManagerManifests(configFrom(certificateStackValues("prod")));
    const outcome = checkChartValues(schemasDir, {
      ...chart,
      values: { ...chart.values, webhook: { ...(chart.values.webhook as object), replicas: 2 } },
    });
    assert.equal(outcome.status, "failed", formatOutcome(outcome));
    assert.ok(
      issuesOf(outcome).some((i) => i.path === "webhook.replicas"),
      formatOutcome(outcome),
    );
  });
});
