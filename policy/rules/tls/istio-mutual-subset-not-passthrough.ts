import { KIND, KubernetesObject } from "../../contract";
import { isGatewayServiceHost, serversFor } from "../../mesh/mesh-queries";
import { MeshTopology } from "../../mesh/mesh-topology";
import { namespaceOf, ofKind, specOf, text } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";
import { tlsSettings } from "../../mesh/destination-rule-tls";

export const istioMutualSubsetNotPassthrough: StackRule = {
  name: "istio-mutual-subset-not-passthrough",
  description:
    "A DestinationRule for the egress gateway's Service that wraps traffic in ISTIO_MUTUAL for an SNI host does " +
    "not target a PASSTHROUGH server of the egress Gateway: the gateway would expect the client's own TLS, get " +
    "Istio mTLS, and the connection fails (or the listener silently disappears). Use an ISTIO_MUTUAL server " +
    "(passthrough-mtls) or drop the subset's tls (passthrough).",
  severity: "medium",
  concern: "tls",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Make the Gateway server tls.mode ISTIO_MUTUAL for that host, or remove ISTIO_MUTUAL from the subset.",
  kinds: [KIND.DestinationRule],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const out: Violation[] = [];
    for (const rule of ofKind(objects, KIND.DestinationRule)) {
      if (!isGatewayServiceHost(mesh, text(specOf(rule).host) ?? "", namespaceOf(rule))) continue;
      for (const s of tlsSettings(rule)) {
        const sni = text(s.tls.sni);
        if (s.mode !== "ISTIO_MUTUAL" || !sni) continue;
        const passthrough = serversFor(mesh, sni).find(
          (server) =>
            server.tlsMode === "PASSTHROUGH" &&
            (s.port === undefined || server.port === undefined || server.port === s.port),
        );
        if (passthrough) {
          out.push(
            violation(
              rule,
              `${s.where} sends ISTIO_MUTUAL with sni ${sni}, but Gateway ${namespaceOf(passthrough.gateway)}/${passthrough.gateway.metadata.name} serves ${sni} as PASSTHROUGH`,
              `set the Gateway server for ${sni} to tls.mode ISTIO_MUTUAL (passthrough-mtls), or remove the subset's tls (plain passthrough)`,
            ),
          );
        }
      }
    }
    return out;
  },
};
