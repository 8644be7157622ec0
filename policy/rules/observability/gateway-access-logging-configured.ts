import { CHART_KINDS, KIND, KubernetesObject } from "../../contract";
import { meshConfigSources, meshLogsAccess } from "../../mesh/mesh-config";
import { MeshTopology } from "../../mesh/mesh-topology";
import { fieldsList, specOf } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";
import { gatewayTelemetries } from "../../mesh/gateway-telemetries";

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
