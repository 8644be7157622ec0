import { INTERNAL_REQUEST_HEADERS, KIND, KubernetesObject } from "../../contract";
import { isGatewayRef } from "../../mesh/mesh-queries";
import { MeshTopology } from "../../mesh/mesh-topology";
import { dig, fieldsList, ofKind, specOf, text, texts } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";

export const gatewayRoutesStripInternalHeaders: StackRule = {
  name: "gateway-routes-strip-internal-headers",
  description:
    "Every HTTP route bound to the egress Gateway removes the request headers that carry internal details " +
    `before the request leaves the cluster: ${INTERNAL_REQUEST_HEADERS.join(", ")} (caller identities, the ` +
    "gateway pod's name, namespace and IP, the tenant pod's IP, retry counts).",
  severity: "medium",
  concern: "gateway-integrity",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: `List ${INTERNAL_REQUEST_HEADERS.join(", ")} in the gateway route's headers.request.remove.`,
  kinds: [KIND.VirtualService],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const out: Violation[] = [];
    for (const vs of ofKind(objects, KIND.VirtualService)) {
      const boundToAll = texts(specOf(vs).gateways);
      fieldsList(specOf(vs).http).forEach((route, index) => {
        const matched = fieldsList(route.match).flatMap((m) => texts(m.gateways));
        const gateways = matched.length > 0 ? matched : boundToAll;
        if (!gateways.some((g) => isGatewayRef(mesh, g))) return;
        const removed = new Set(
          texts(dig(route, "headers", "request", "remove")).map((h) => h.toLowerCase()),
        );
        const kept = INTERNAL_REQUEST_HEADERS.filter((h) => !removed.has(h));
        if (kept.length === 0) return;
        out.push(
          violation(
            vs,
            `http route ${text(route.name) ?? index} at the egress gateway sends ${kept.join(", ")} to the external host, leaking internal details`,
            `add ${kept.join(", ")} to the route's headers.request.remove`,
          ),
        );
      });
    }
    return out;
  },
};
