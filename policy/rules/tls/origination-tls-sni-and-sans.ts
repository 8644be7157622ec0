import { KIND, KubernetesObject } from "../../contract";
import { serviceEntriesFor } from "../../mesh/mesh-queries";
import { MeshTopology } from "../../mesh/mesh-topology";
import { ofKind, specOf, text, texts } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";
import { tlsSettings, ORIGINATING_MODES } from "../../mesh/destination-rule-tls";

export const originationTlsSniAndSans: StackRule = {
  name: "origination-tls-sni-and-sans",
  description:
    "A SIMPLE or MUTUAL TLS setting of a DestinationRule that names the `sni` to send also names the " +
    "`subjectAltNames` to accept (in the tls block, or on the host's ServiceEntry). With an explicit SNI Istio " +
    "no longer checks the server certificate against the host, so any certificate from a trusted CA passes for " +
    "the service. With neither set, Istio sets the SNI and verifies the SAN from the request's host itself.",
  severity: "high",
  concern: "tls",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Set tls.subjectAltNames (or the ServiceEntry's subjectAltNames) to the names the server's certificate carries.",
  kinds: [KIND.DestinationRule],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const out: Violation[] = [];
    for (const rule of ofKind(objects, KIND.DestinationRule)) {
      const host = text(specOf(rule).host) ?? "";
      const declared = serviceEntriesFor(mesh, host).some((e) => texts(specOf(e).subjectAltNames).length > 0);
      for (const s of tlsSettings(rule)) {
        if (s.mode === undefined || !ORIGINATING_MODES.has(s.mode)) continue;
        const sni = text(s.tls.sni);
        if (!sni || texts(s.tls.subjectAltNames).length > 0 || declared) continue;
        out.push(
          violation(
            rule,
            `${s.where} originates ${s.mode} TLS with sni ${sni} but no subjectAltNames, so the server certificate is not checked against ${host || "the host"}`,
            `set ${s.where}.subjectAltNames to the names the server's certificate carries (for ${host || "the external host"})`,
          ),
        );
      }
    }
    return out;
  },
};
