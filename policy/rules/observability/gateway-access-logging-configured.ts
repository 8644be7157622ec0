import { CHART_KINDS, KIND, KubernetesObject } from "../../contract";
import { gatewayAccessLogRecordsCaller } from "./gateway-access-log-records-caller";
import { meshConfigSources, meshLogsAccess } from "../../mesh/mesh-config";
import { policyAppliesToGateway } from "../../mesh/mesh-queries";
import { MeshTopology } from "../../mesh/mesh-topology";
import { dig, fieldsList, namespaceOf, ofKind, specOf } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";
import { inTenants, judgedTenants } from "../../mesh/tenant-scope";

function gatewayTelemetries(objects: readonly KubernetesObject[], mesh: MeshTopology): KubernetesObject[] {
  return ofKind(objects, KIND.Telemetry).filter((t) =>
    policyAppliesToGateway(mesh, t, dig(t.spec, "selector")),
  );
}

export const gatewayAccessLoggingNotDisabled: StackRule = {
  name: "gateway-access-logging-not-disabled",
  description:
    "No Telemetry that applies to the egress gateway (selecting it, or namespace- or mesh-wide) disables access " +
    "logging. The gateway's access log is the one record of every call the cluster makes to the outside.",
  severity: "high",
  concern: "observability",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: "Remove `disabled: true` from the Telemetry's accessLogging.",
  kinds: [KIND.Telemetry],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const out: Violation[] = [];
    for (const telemetry of gatewayTelemetries(objects, mesh)) {
      fieldsList(specOf(telemetry).accessLogging).forEach((logging, index) => {
        if (logging.disabled === true || logging.disabled === "true") {
          out.push(
            violation(
              telemetry,
              `accessLogging[${index}] is disabled for the egress gateway, so its calls to the outside go unrecorded`,
              "remove disabled: true from the accessLogging entry",
            ),
          );
        }
      });
    }
    return out;
  },
};

export const gatewayAccessLoggingConfigured: StackRule = {
  name: "gateway-access-logging-configured",
  description:
    "A Telemetry (telemetry.istio.io) that applies to the egress gateway names an access log provider, or istiod's " +
    "mesh config sets `accessLogFile`, so every egress call is logged at the one point all of them cross, for audit.",
  severity: "medium",
  concern: "observability",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Add a Telemetry in the gateway namespace selecting istio: egressgateway with accessLogging providers [envoy].",
  kinds: [
    KIND.Telemetry,
    KIND.Namespace,
    ...CHART_KINDS,
    KIND.Deployment,
    KIND.Gateway,
    KIND.IstioOperator,
    KIND.ConfigMap,
  ],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    if (mesh.gatewayNamespace === undefined) return [];
    const logs = gatewayTelemetries(objects, mesh).some((t) =>
      fieldsList(specOf(t).accessLogging).some((l) => fieldsList(l.providers).length > 0),
    );
    // meshConfig.accessLogFile turns the built-in log on for every proxy, the gateway included.
    if (logs || meshConfigSources(objects).some(meshLogsAccess)) return [];
    return [
      violation(
        { kind: "Namespace", name: mesh.gatewayNamespace },
        "no Telemetry configures access logging for the egress gateway",
        `add a Telemetry in ${mesh.gatewayNamespace} with selector.matchLabels istio: egressgateway and accessLogging: [{providers: [{name: envoy}]}]`,
      ),
    ];
  },
};

/** What one tenant Telemetry turns off or redirects, as phrases naming the entry. */
function telemetryGaps(telemetry: KubernetesObject): string[] {
  const gaps: string[] = [];
  const spec = specOf(telemetry);
  fieldsList(spec.metrics).forEach((metrics, index) => {
    if (metrics.providers !== undefined) gaps.push(`metrics[${index}] replaces the metrics providers`);
    if (metrics.reportingInterval !== undefined)
      gaps.push(`metrics[${index}] stretches the reportingInterval`);
    fieldsList(metrics.overrides).forEach((override, o) => {
      if (isTrue(override.disabled)) {
        const metric = String(
          dig(override, "match", "metric") ?? dig(override, "match", "customMetric") ?? "ALL_METRICS",
        );
        gaps.push(`metrics[${index}].overrides[${o}] disables ${metric}`);
      }
    });
  });
  fieldsList(spec.accessLogging).forEach((logging, index) => {
    if (isTrue(logging.disabled)) gaps.push(`accessLogging[${index}] disables access logs`);
    if (logging.providers !== undefined)
      gaps.push(`accessLogging[${index}] replaces the access log providers`);
    if (logging.filter !== undefined) gaps.push(`accessLogging[${index}] filters access logs away`);
  });
  return gaps;
}

const isTrue = (value: unknown): boolean => value === true || value === "true";

export const tenantTelemetryKeepsMetricsAndLogs: StackRule = {
  name: "tenant-telemetry-keeps-metrics-and-logs",
  description:
    "A Telemetry (telemetry.istio.io) in a tenant namespace neither disables metrics (`overrides[].disabled`), " +
    "stretches their `reportingInterval`, disables " +
    "access logs (`disabled`, a `filter`), nor replaces their providers. The egress alerts and the audit read the " +
    "tenant sidecars' metrics and logs (traffic to BlackHoleCluster and PassthroughCluster shows there, not at the " +
    "gateway): a tenant that turns them off blinds them. Tag overrides stay allowed.",
  severity: "high",
  concern: "observability",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: "Remove the disabling override, filter or provider from the tenant's Telemetry.",
  kinds: [KIND.Telemetry],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const telemetries = inTenants(ofKind(objects, KIND.Telemetry), judgedTenants(objects, mesh));
    return telemetries.flatMap((telemetry) =>
      telemetryGaps(telemetry).map((gap) =>
        violation(
          telemetry,
          `${gap} for tenant ${namespaceOf(telemetry) ?? ""}'s workloads, blinding the egress alerts and audit`,
          "remove it (tag overrides are fine); the platform's providers record every tenant",
        ),
      ),
    );
  },
};

export const observabilityRules = [
  gatewayAccessLoggingNotDisabled,
  gatewayAccessLoggingConfigured,
  gatewayAccessLogRecordsCaller,
  tenantTelemetryKeepsMetricsAndLogs,
];
