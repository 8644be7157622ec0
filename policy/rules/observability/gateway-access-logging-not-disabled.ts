import { KIND, KubernetesObject } from "../../contract";
import { MeshTopology } from "../../mesh/mesh-topology";
import { fieldsList, specOf } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";
import { gatewayTelemetries } from "../../mesh/gateway-telemetries";

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
