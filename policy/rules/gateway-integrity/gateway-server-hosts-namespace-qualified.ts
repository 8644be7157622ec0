import { GATEWAY_SELECTOR, KIND, KubernetesObject } from "../../contract";
import { gatewaySelects } from "../../mesh/mesh-object-readers";
import { MeshTopology } from "../../mesh/mesh-topology";
import {
  fieldsList,
  list,
  namespaceOf,
  ofKind,
  specOf,
  splitNamespacedHost,
  texts,
} from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";

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
