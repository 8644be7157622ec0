import { CHART_KINDS, GATEWAY_SELECTOR, KIND, KubernetesObject, resolveGatewayName } from "../../contract";
import { chartRelease, gatewaySelects, isIstiodChart } from "../../mesh/mesh-object-readers";
import { MeshTopology } from "../../mesh/mesh-topology";
import {
  dig,
  fieldsList,
  list,
  namespaceOf,
  ofKind,
  specOf,
  splitNamespacedHost,
  stringMap,
  texts,
} from "../../mesh/object-fields";
import { ResourceRule, StackRule, Violation, violation } from "../../engine/rule";

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

export const gatewayServerHostsNamespaceQualified: StackRule = {
  name: "gateway-server-hosts-namespace-qualified",
  description:
    "Every server host of an egress Gateway is namespace-qualified (`<namespace>/<host>`) and names one host: " +
    "never `*`, `*/…` or a wildcard domain. Unqualified hosts let a VirtualService in any namespace bind to " +
    "the egress gateway and route through it.",
  severity: "high",
  concern: "gateway-integrity",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: "Write each host as <platform-namespace>/<exact host>.",
  kinds: [KIND.Gateway],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const out: Violation[] = [];
    for (const gateway of ofKind(objects, KIND.Gateway)) out.push(...unqualifiedHosts(gateway, mesh));
    return out;
  },
};

/** The qualification problems of one Gateway's server hosts; the fix names the platform namespace. */
function unqualifiedHosts(gateway: KubernetesObject, mesh: MeshTopology): Violation[] {
  if (!gatewaySelects(gateway, GATEWAY_SELECTOR)) return [];
  const out: Violation[] = [];
  // Qualify with the platform's namespace (where the Gateway belongs), not wherever this one sits.
  const fix = `write it as ${mesh.gatewayNamespace ?? namespaceOf(gateway) ?? "<platform-namespace>"}/<exact host>`;
  for (const server of fieldsList(specOf(gateway).servers)) {
    for (const entry of texts(server.hosts)) {
      const { namespace, host } = splitNamespacedHost(entry);
      if (host.includes("*")) {
        out.push(violation(gateway, `server host "${entry}" is a wildcard`, fix));
      } else if (namespace === undefined) {
        out.push(
          violation(
            gateway,
            `server host "${entry}" is not namespace-qualified, so any namespace may bind to it`,
            fix,
          ),
        );
      } else if (namespace === "*") {
        out.push(violation(gateway, `server host "${entry}" lets any namespace bind to it`, fix));
      }
    }
    if (list(server.hosts).length === 0) {
      out.push(violation(gateway, "has a server without hosts", fix));
    }
  }
  return out;
}

export const controlPlaneScopesGateways: ResourceRule = {
  name: "control-plane-scopes-gateways",
  description:
    "When the stack installs istiod, it runs with `PILOT_SCOPE_GATEWAY_TO_NAMESPACE=true`, so a Gateway " +
    "only programs gateway pods in its own namespace. Without it a Gateway written in any namespace can " +
    "attach servers to the shared egress gateway (gateway hijack).",
  severity: "high",
  concern: "gateway-integrity",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: 'Set values.env.PILOT_SCOPE_GATEWAY_TO_NAMESPACE: "true" on the istiod release.',
  kinds: [...CHART_KINDS],
  scope: "resource",
  check(object: KubernetesObject): Violation[] {
    const release = chartRelease(object);
    if (!release || !isIstiodChart(release.chart)) return [];
    const value =
      dig(release.values, "env", "PILOT_SCOPE_GATEWAY_TO_NAMESPACE") ??
      dig(release.values, "pilot", "env", "PILOT_SCOPE_GATEWAY_TO_NAMESPACE");
    if (String(value) === "true") return [];
    return [
      violation(
        object,
        `istiod runs without PILOT_SCOPE_GATEWAY_TO_NAMESPACE=true (${value === undefined ? "unset" : `set to ${String(value)}`}), so a Gateway in any namespace can program the egress gateway`,
        'set values.env.PILOT_SCOPE_GATEWAY_TO_NAMESPACE to "true"',
      ),
    ];
  },
};
