import { KIND, KubernetesObject } from "../contract";
import { policyAppliesToGateway } from "./mesh-queries";
import { MeshTopology } from "./mesh-topology";
import { dig, ofKind } from "./object-fields";

/** The Telemetry objects that apply to the egress gateway (mesh-wide, its namespace, or selecting its pods). */
export function gatewayTelemetries(
  objects: readonly KubernetesObject[],
  mesh: MeshTopology,
): KubernetesObject[] {
  return ofKind(objects, KIND.Telemetry).filter((t) =>
    policyAppliesToGateway(mesh, t, dig(t.spec, "selector")),
  );
}
