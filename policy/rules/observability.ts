import { gatewayAccessLogRecordsCaller } from "./access-log-provider";
import { CHART_KINDS, KIND, KubernetesObject } from "../contract";
import { policyAppliesToGateway } from "./mesh-queries";
import { MeshTopology } from "./mesh-topology";
import { dig, fieldsList, ofKind, specOf } from "./object-fields";
import { StackRule, Violation, violation } from "./rule";

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
    "A Telemetry (telemetry.istio.io) that applies to the egress gateway names an access log provider, so " +
    "every egress call is logged at the one point all of them cross, for audit.",
  severity: "medium",
  concern: "observability",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Add a Telemetry in the gateway namespace selecting istio: egressgateway with accessLogging providers [envoy].",
  kinds: [KIND.Telemetry, KIND.Namespace, ...CHART_KINDS, KIND.Deployment, KIND.Gateway],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    if (mesh.gatewayNamespace === undefined) return [];
    const logs = gatewayTelemetries(objects, mesh).some((t) =>
      fieldsList(specOf(t).accessLogging).some((l) => fieldsList(l.providers).length > 0),
    );
    if (logs) return [];
    return [
      violation(
        { kind: "Namespace", name: mesh.gatewayNamespace },
        "no Telemetry configures access logging for the egress gateway",
        `add a Telemetry in ${mesh.gatewayNamespace} with selector.matchLabels istio: egressgateway and accessLogging: [{providers: [{name: envoy}]}]`,
      ),
    ];
  },
};

export const observabilityRules = [
  gatewayAccessLoggingNotDisabled,
  gatewayAccessLoggingConfigured,
  gatewayAccessLogRecordsCaller,
];
