import { KIND, KubernetesObject, resolveGatewayName } from "../../contract";
import { MeshTopology } from "../../mesh/mesh-topology";
import {
  fieldsList,
  namespaceOf,
  ofKind,
  specOf,
  splitNamespacedHost,
  stringMap,
  texts,
} from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";

/** Gateway integrity, hijack: only the platform may attach servers to the shared egress gateway's pods. */

export const gatewaySelectorOnlyInPlatformNamespace: StackRule = {
  name: "gateway-selector-only-in-platform-namespace",
  description:
    "Only the platform namespace holds Gateways that select the egress gateway's pods, by any label the istio/gateway " +
    "chart or the injector puts on them (`istio`, `app`, `app.kubernetes.io/name`, `sidecar.istio.io/inject`, …) or " +
    "with no selector at all (every gateway workload), and VirtualServices bound to its Gateways. A Gateway in any " +
    "other namespace can attach its own servers to the shared egress pods (gateway hijack) unless istiod scopes " +
    "gateways to their namespace; a bound VirtualService adds routes on them. Bindings are resolved as Istio does, " +
    "legacy forms included (`name.<ns>.svc.cluster.local`, `name.<ns>`, in `gateways` or a match's `gateways`).",
  severity: "critical",
  concern: "gateway-integrity",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Move the Gateway into the platform namespace (or delete it), select your own gateway by a label it alone carries, and bind tenant VirtualServices to mesh or their own Gateways.",
  kinds: [KIND.Gateway, KIND.VirtualService],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const ns = mesh.gatewayNamespace;
    if (ns === undefined) return [];
    const outside = (o: KubernetesObject): boolean => namespaceOf(o) !== ns;
    const out = mesh.egressGateways
      .filter(outside)
      .map((g) =>
        violation(
          g,
          `selects the egress gateway's pods from namespace ${namespaceOf(g) ?? "default"}, outside the platform namespace ${ns}`,
          `declare the service through the platform so its Gateway lives in ${ns}, and delete this one`,
        ),
      );
    for (const gateway of ofKind(objects, KIND.Gateway).filter(outside)) {
      if (Object.keys(stringMap(specOf(gateway).selector)).length > 0) continue;
      out.push(
        violation(
          gateway,
          `has no selector, so it applies to every gateway workload, the egress gateway's in ${ns} included`,
          "select your own gateway's pods by a label they alone carry",
        ),
      );
    }
    const platform = new Set([ns, mesh.rootNamespace]);
    for (const service of ofKind(objects, KIND.VirtualService).filter(outside)) {
      const own = namespaceOf(service) ?? "default";
      const spec = specOf(service);
      const refs = [
        ...texts(spec.gateways),
        ...["http", "tls", "tcp"].flatMap((p) =>
          fieldsList(spec[p]).flatMap((r) => fieldsList(r.match).flatMap((m) => texts(m.gateways))),
        ),
      ];
      const bound = [...new Set(refs)].filter((g) =>
        platform.has(splitNamespacedHost(resolveGatewayName(g, own)).namespace ?? ""),
      );
      if (bound.length === 0) continue;
      out.push(
        violation(
          service,
          `binds to ${bound.join(", ")} from namespace ${namespaceOf(service) ?? "default"}, adding its routes on the platform's gateway`,
          "bind it to mesh or to your own Gateway; outside hosts come from the egress registry",
        ),
      );
    }
    return out;
  },
};
