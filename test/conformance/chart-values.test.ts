import { strict as assert } from "assert";
import type { HelmChartSpec } from "../../components/kubernetes-object";
import { coalesceValues } from "../support/helm-values-coalesce";
import {
  ChartValuesSchema,
  checkChartValues,
  describeWithUpstreamSchemas,
  formatOutcome,
  upstreamChartSchemas,
  validateChartValues,
} from "../support/upstream-schemas";

describe("Helm's coalescing of user values over a chart's values.yaml", () => {
  it("merges tables key by key with the user's values winning", () => {
    const merged = coalesceValues(
      { service: { type: "LoadBalancer", ports: [1] }, kind: "Deployment" },
      { service: { type: "ClusterIP" } },
    );
    assert.deepEqual(merged, { service: { type: "ClusterIP", ports: [1] }, kind: "Deployment" });
  });

  it("deletes a chart default the user sets to null, at any depth", () => {
    const merged = coalesceValues({ a: 1, nested: { b: 2, c: 3 } }, { a: null, nested: { b: null } });
    assert.deepEqual(merged, { nested: { c: 3 } });
  });

  it("keeps a user null for a key the chart does not define", () => {
    assert.deepEqual(coalesceValues({}, { extra: null }), { extra: null });
  });

  it("lets a user scalar replace a chart table, as Helm does after warning", () => {
    assert.deepEqual(coalesceValues({ service: { type: "LoadBalancer" } }, { service: "none" }), {
      service: "none",
    });
  });
});

describeWithUpstreamSchemas("chart values against the charts' values.schema.json", (schemasDir) => {
  const chartSchema = (chart: string): ChartValuesSchema => {
    const schema = upstreamChartSchemas(schemasDir).find((candidate) => candidate.chart === chart);
    if (!schema) throw new Error(`no schema for ${chart}`);
    return schema;
  };
  const gateway = (values: Record<string, unknown>) => {
    const { schemaFile, defaultsFile } = chartSchema("gateway");
    return validateChartValues(schemaFile, values, defaultsFile);
  };
  const certManager = (values: Record<string, unknown>) =>
    validateChartValues(chartSchema("cert-manager").schemaFile, values);

  describe("the Istio gateway chart 1.30.3", () => {
    it("accepts the egress gateway's values (ClusterIP, istio label, HPA, PDB)", () => {
      const values = {
        service: { type: "ClusterIP" },
        labels: { istio: "egressgateway" },
        autoscaling: { enabled: true, minReplicas: 3, maxReplicas: 10, targetCPUUtilizationPercentage: 70 },
        podDisruptionBudget: { minAvailable: 2 },
      };
      assert.deepEqual(gateway(values), []);
    });

    it("rejects a misspelled top-level key, as the chart's schema forbids unknown ones", () => {
      assert.deepEqual(gateway({ servcie: {} }), [{ path: "servcie", message: 'unknown field "servcie"' }]);
    });

    it("rejects a value of the wrong type", () => {
      assert.deepEqual(gateway({ autoscaling: { minReplicas: "3" } }), [
        { path: "autoscaling.minReplicas", message: "must be of type integer (got string)" },
      ]);
    });

    it("rejects a kind outside its enum", () => {
      const issues = gateway({ kind: "StatefulSet" });
      assert.equal(issues.length, 1);
      assert.match(
        issues[0].message,
        /Unsupported value: "StatefulSet": supported values: "Deployment", "DaemonSet"/,
      );
    });

    it("accepts a typo nested under service, because the chart's schema leaves nested keys open (so does Helm)", () => {
      assert.deepEqual(gateway({ service: { tpye: "ClusterIP" } }), []);
    });

    it("accepts a user null for a chart default, which Helm deletes before validating", () => {
      assert.deepEqual(gateway({ _internal_defaults_do_not_set: null }), []);
      const alone = validateChartValues(chartSchema("gateway").schemaFile, {
        _internal_defaults_do_not_set: null,
      });
      assert.equal(alone.length, 1, "the same values checked without the chart's values.yaml should fail");
    });
  });

  describe("the cert-manager chart v1.21.1", () => {
    it("accepts CRDs enabled and two replicas", () => {
      assert.deepEqual(certManager({ crds: { enabled: true }, replicaCount: 2 }), []);
    });

    it("rejects a misspelled nested key, as cert-manager's schema closes every table", () => {
      assert.deepEqual(certManager({ crds: { enabeld: true } }), [
        { path: "crds.enabeld", message: 'unknown field "crds.enabeld"' },
      ]);
    });

    it("rejects a misspelled top-level key", () => {
      assert.deepEqual(certManager({ replicaCont: 2 }), [
        { path: "replicaCont", message: 'unknown field "replicaCont"' },
      ]);
    });

    it("rejects a replica count that is not a number", () => {
      assert.deepEqual(certManager({ replicaCount: "2" }), [
        { path: "replicaCount", message: "must be of type number (got string)" },
      ]);
    });
  });

  describe("a chart the program installs", () => {
    const chart = (overrides: Partial<HelmChartSpec>): HelmChartSpec => ({
      releaseName: "istio-egressgateway",
      namespace: "istio-egress",
      chart: "gateway",
      version: "1.30.3",
      repository: "https://istio-release.storage.googleapis.com/charts",
      repositoryName: "istio",
      values: { service: { type: "ClusterIP" } },
      ...overrides,
    });

    it("is validated against the schema of its chart", () => {
      const outcome = checkChartValues(schemasDir, chart({}));
      assert.equal(outcome.status, "validated", formatOutcome(outcome));
    });

    it("fails with its values' issues", () => {
      const outcome = checkChartValues(schemasDir, chart({ values: { servcie: {} } }));
      assert.equal(
        formatOutcome(outcome),
        'chart gateway 1.30.3 (release istio-egress/istio-egressgateway): servcie: unknown field "servcie"',
      );
    });

    it("fails when pinned to another version than the upstream schemas describe", () => {
      const outcome = checkChartValues(schemasDir, chart({ version: "1.29.0" }));
      assert.match(
        formatOutcome(outcome),
        /version: chart pinned at 1\.29\.0 but the upstream schemas are for 1\.30\.3/,
      );
    });

    it("matches cert-manager's v-prefixed version either way", () => {
      const outcome = checkChartValues(
        schemasDir,
        chart({ chart: "cert-manager", version: "1.21.1", values: { crds: { enabled: true } } }),
      );
      assert.equal(outcome.status, "validated", formatOutcome(outcome));
    });

    it("is reported skipped when the upstream set has no values schema for it (istiod)", () => {
      const outcome = checkChartValues(schemasDir, chart({ chart: "istiod", values: {} }));
      assert.equal(outcome.status, "skipped");
      assert.match(formatOutcome(outcome), /SKIPPED \(no values.schema.json for chart "istiod"/);
    });
  });
});
