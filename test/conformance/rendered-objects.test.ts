import { strict as assert } from "assert";
import { apiServerUnavailableReason } from "../support/envtest/availability";
import { syntheticCrdDirectory } from "../support/synthetic-crd";
import type { HelmChartSpec } from "../../components/kubernetes-object";
import { loadFixtureManifests, mutated } from "../support/conformance-fixtures";
import {
  chartsInFluxReleases,
  describeWithUpstreamSchemas,
  formatConformanceReport,
  validateRenderedObjects,
} from "../support/upstream-schemas";

const GATEWAY_CHART: HelmChartSpec = {
  releaseName: "istio-egressgateway",
  namespace: "istio-egress",
  chart: "gateway",
  version: "1.30.3",
  repository: "https://istio-release.storage.googleapis.com/charts",
  repositoryName: "istio",
  values: { service: { type: "ClusterIP" }, labels: { istio: "egressgateway" } },
};

const NETWORK_POLICY = {
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name: "default-deny-egress", namespace: "payments" },
  spec: { podSelector: {}, policyTypes: ["Egress"] },
};

describeWithUpstreamSchemas("validating a whole render", (schemasDir) => {
  const samples = () => [
    ...loadFixtureManifests("istio-compliant.yaml"),
    ...loadFixtureManifests("cert-manager-compliant.yaml"),
    ...loadFixtureManifests("prometheus-rule.yaml"),
  ];

  it("counts every compliant object and chart as validated, and built-in kinds as left to the API server or skipped, never both", () => {
    const report = validateRenderedObjects(schemasDir, [...samples(), NETWORK_POLICY], [GATEWAY_CHART]);
    const apiServerHere = apiServerUnavailableReason() === undefined;
    assert.deepEqual(
      [report.validated.length, report.failures.length, report.skipped.length, report.delegated.length],
      [samples().length + 1, 0, apiServerHere ? 0 : 1, apiServerHere ? 1 : 0],
      formatConformanceReport(report),
    );
    const skippedLine = /networking\.k8s\.io\/v1 NetworkPolicy payments\/default-deny-egress: SKIPPED/;
    if (apiServerHere) assert.doesNotMatch(formatConformanceReport(report), skippedLine);
    else assert.match(formatConformanceReport(report), skippedLine);
  });

  it("reads the charts a render installs from its Flux HelmReleases and checks their values", () => {
    const flux = loadFixtureManifests("flux-gateway-release.yaml");
    assert.deepEqual(
      chartsInFluxReleases(flux).map((c) => [c.chart, c.version, c.namespace, c.releaseName, c.repository]),
      [
        [
          "gateway",
          "1.30.3",
          "istio-egress",
          "istio-egressgateway",
          "https://istio-release.storage.googleapis.com/charts",
        ],
      ],
    );
    const report = validateRenderedObjects(schemasDir, flux);
    assert.deepEqual(
      report.validated.map((outcome) => outcome.subject),
      [
        "source.toolkit.fluxcd.io/v1 HelmRepository istio-egress/istio",
        "helm.toolkit.fluxcd.io/v2 HelmRelease istio-egress/istio-egressgateway",
        "chart gateway 1.30.3 (release istio-egress/istio-egressgateway)",
      ],
      formatConformanceReport(report),
    );
    assert.deepEqual(
      report.skipped,
      [],
      "the HelmRepository and HelmRelease are checked against Flux's CRDs",
    );
  });

  it("fails a render whose HelmRelease carries a misspelled chart value", () => {
    const flux = loadFixtureManifests("flux-gateway-release.yaml").map((doc) =>
      doc.kind === "HelmRelease" ? mutated(doc, (release) => (release.spec.values.servcie = {})) : doc,
    );
    const report = validateRenderedObjects(schemasDir, flux);
    assert.match(
      formatConformanceReport(report),
      /chart gateway 1\.30\.3 .*: servcie: unknown field "servcie"/,
    );
  });

  it("lists each failing object and chart with its issues", () => {
    const [serviceEntry] = loadFixtureManifests("istio-compliant.yaml");
    const broken = mutated(serviceEntry, (se) => (se.spec.resolution = "DNSS"));
    const report = validateRenderedObjects(
      schemasDir,
      [broken],
      [{ ...GATEWAY_CHART, values: { servcie: {} } }],
    );
    assert.deepEqual(formatConformanceReport(report).split("\n"), [
      "0 validated, 2 failed, 0 skipped",
      'networking.istio.io/v1 ServiceEntry istio-egress/egress-api-stripe-com: spec.resolution: Unsupported value: "DNSS": supported values: "NONE", "STATIC", "DNS", "DNS_ROUND_ROBIN", "DYNAMIC_DNS"',
      'chart gateway 1.30.3 (release istio-egress/istio-egressgateway): servcie: unknown field "servcie"',
    ]);
  });
});

describe("validating a render whose CRDs have rules the harness cannot evaluate", () => {
  it("lists each unevaluated rule beside the object it applied to", () => {
    const widget = {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w" },
      spec: { size: "1Gi", replicas: 1 },
    };
    const report = validateRenderedObjects(syntheticCrdDirectory(), [widget]);
    assert.equal(report.validated.length, 1);
    assert.deepEqual(
      report.unevaluatedRules.map((rule) => `${rule.subject} ${rule.path}: ${rule.rule}`),
      [
        "example.com/v1 Widget w spec: self.size == oldSelf.size",
        'example.com/v1 Widget w spec: quantity(self.size).isGreaterThan(quantity("1Gi"))',
      ],
    );
  });
});
