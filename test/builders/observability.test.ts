import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { meshConfigNotice } from "../../cli/mesh-config-notice";
import { AUDIT_RECORDS, AUDIT_RECORDS_EVALUATED } from "../../components/audit-records";
import { buildControlPlaneManifests } from "../../components/control-plane";
import { ACCESS_LOG_FIELDS, meshConfigForAccessLog } from "../../components/gateway-access-log";
import {
  buildObservabilityManifests,
  dashboardQueries,
  egressRuleGroups,
  observabilityInputs,
  RUNBOOKS_DOCUMENT,
} from "../../components/observability";
import { buildPlatformManifests } from "../../components/platform-manifests";
import { PROJECT_DIR, projectStack } from "../support/stacks";

const prodInputs = () => observabilityInputs(projectStack("prod"));
const objectOf = (kind: string, name?: string) =>
  buildObservabilityManifests(prodInputs()).objects.find(
    (o) => o.kind === kind && (name === undefined || o.metadata.name === name),
  )!;

/** GitHub's anchor for a Markdown heading. */
const anchorOf = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, "")
    .replace(/ /g, "-");

describe("observability builder", () => {
  it("logs the caller's identity, SNI, upstream, response flags and bytes both ways", () => {
    const operators = Object.values(ACCESS_LOG_FIELDS);
    for (const operator of [
      "%DOWNSTREAM_PEER_URI_SAN%",
      "%REQUESTED_SERVER_NAME%",
      "%UPSTREAM_HOST%",
      "%UPSTREAM_CLUSTER%",
      "%RESPONSE_FLAGS%",
      "%CONNECTION_TERMINATION_DETAILS%",
      "%UPSTREAM_TRANSPORT_FAILURE_REASON%",
      "%BYTES_RECEIVED%",
      "%BYTES_SENT%",
    ]) {
      assert.ok(operators.includes(operator), operator);
    }
  });

  it("puts the access-log provider into istiod's mesh config when the stack installs istiod", () => {
    const istiod = buildControlPlaneManifests(projectStack("dev")).charts.find((c) => c.chart === "istiod")!;
    const meshConfig = istiod.values.meshConfig as Record<string, unknown>;
    assert.deepEqual(meshConfig.extensionProviders, meshConfigForAccessLog().extensionProviders);
    assert.deepEqual(meshConfig.outboundTrafficPolicy, { mode: "REGISTRY_ONLY" });
  });

  it("gives a stack that does not install istiod the exact mesh config to add, as a YAML comment", () => {
    const notice = meshConfigNotice(projectStack("prod"));
    assert.ok(notice.split("\n").every((line) => line === "" || line.startsWith("#")));
    const yaml = notice
      .split("\n")
      .filter((line) => line.startsWith("#   "))
      .map((line) => line.slice(4))
      .join("\n");
    assert.deepEqual(parse(yaml), meshConfigForAccessLog());
    assert.equal(meshConfigNotice(projectStack("dev")), "", "dev installs istiod itself");
  });

  it("scrapes the gateway pods' Envoy endpoint with a PodMonitor in the gateway namespace", () => {
    assert.deepEqual(objectOf("PodMonitor", "istio-egressgateway").spec, {
      selector: { matchLabels: { istio: "egressgateway" } },
      namespaceSelector: { matchNames: ["istio-egress"] },
      podMetricsEndpoints: [{ port: "http-envoy-prom", path: "/stats/prometheus", interval: "30s" }],
    });
  });

  it("scrapes only the tenants' sidecars, keeping their unregistered-host series alone", () => {
    const spec = objectOf("PodMonitor", "mesh-egress-tenant-sidecars").spec as any;
    assert.deepEqual(spec.namespaceSelector.matchNames, [
      "payments",
      "assistant",
      "settlement",
      "storefront",
    ]);
    assert.deepEqual(spec.podMetricsEndpoints[0].metricRelabelings, [
      {
        sourceLabels: ["destination_service_name"],
        regex: "BlackHoleCluster|PassthroughCluster",
        action: "keep",
      },
    ]);
  });

  it("carries every rule group it is given, so rate limits and break-glass can add theirs", () => {
    const extra = { name: "mesh-egress.rate-limits", rules: [{ record: "x:y:z", expr: "vector(1)" }] };
    const groups = [...egressRuleGroups(prodInputs()), extra];
    const rule = buildObservabilityManifests(prodInputs(), groups).objects.find(
      (o) => o.kind === "PrometheusRule",
    )!;
    assert.deepEqual(
      (rule.spec as any).groups.map((g: any) => g.name),
      ["mesh-egress.recording", "mesh-egress.alerts", "mesh-egress.rate-limits"],
    );
  });

  it("renders the audit records as their own group, evaluated every minute, in the platform's PrometheusRule", () => {
    const rule = buildPlatformManifests(projectStack("prod")).observability.objects.find(
      (o) => o.kind === "PrometheusRule",
    )!;
    const audit = (rule.spec as any).groups.find((g: any) => g.name === "mesh-egress.audit-records");
    assert.equal(audit.interval, "1m");
    assert.deepEqual(
      audit.rules.map((r: any) => r.record),
      [AUDIT_RECORDS_EVALUATED, ...Object.values(AUDIT_RECORDS)],
    );
  });

  it("gives every alert a severity, a summary naming its tenant or destination, and a runbook section that exists", () => {
    const runbooks = fs.readFileSync(path.join(PROJECT_DIR, RUNBOOKS_DOCUMENT), "utf8");
    const anchors = new Set([...runbooks.matchAll(/^#+ (.+)$/gm)].map((m) => anchorOf(m[1])));
    const alerts = egressRuleGroups(prodInputs()).flatMap((g) => g.rules.filter((r) => "alert" in r));
    assert.equal(alerts.length, 7);
    for (const alert of alerts) {
      if (!("alert" in alert)) continue;
      assert.ok(["critical", "warning"].includes(alert.labels.severity), alert.alert);
      assert.match(
        alert.annotations.summary,
        /\{\{ \$labels\.(tenant|destination) \}\}|istio-egress\/istio-egressgateway/,
      );
      const anchor = alert.annotations.runbook_url.split("#")[1];
      assert.ok(anchors.has(anchor), `${alert.alert}: no section #${anchor} in ${RUNBOOKS_DOCUMENT}`);
    }
  });

  it("waits for the prod gateway's own minimum of 3 ready replicas", () => {
    const alerts = egressRuleGroups(prodInputs()).flatMap((g) => g.rules);
    const replicas = alerts.find((r) => "alert" in r && r.alert === "MeshEgressGatewayBelowMinReplicas")!;
    assert.equal(
      replicas.expr,
      'kube_deployment_status_replicas_available{namespace="istio-egress", deployment="istio-egressgateway"} < 3',
    );
  });

  it("ships a Grafana dashboard ConfigMap whose panels run exactly the shared dashboard queries", () => {
    const configMap = objectOf("ConfigMap", "mesh-egress-dashboard");
    assert.equal(configMap.metadata.labels?.grafana_dashboard, "1");
    const dashboard = JSON.parse(configMap.data!["mesh-egress.json"]);
    assert.deepEqual(
      dashboard.panels.map((p: any) => p.targets[0].expr),
      dashboardQueries(prodInputs()).map((q) => q.expr),
    );
  });
});
