import { KIND, KubernetesObject } from "../../contract";
import { MeshTopology } from "../../mesh/mesh-topology";
import { dig, fieldsList, namespaceOf, ofKind, specOf } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";
import { inTenants, judgedTenants } from "../../mesh/tenant-scope";

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
