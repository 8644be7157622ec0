import { KIND, KubernetesObject } from "../../contract";
import { externalHosts, isGatewayRef } from "../../mesh/mesh-queries";
import { MeshTopology } from "../../mesh/mesh-topology";
import { namespaceOf, ofKind, specOf, text } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";
import { tlsSettings, ORIGINATING_MODES } from "../../mesh/destination-rule-tls";

export const originationTlsNotDisabled: StackRule = {
  name: "origination-tls-not-disabled",
  description:
    "Traffic to a MESH_EXTERNAL host is never sent in plaintext by the mesh: no DestinationRule for such a host " +
    "sets `tls.mode: DISABLE`, and every HTTP route from the egress gateway to an external host has a " +
    "DestinationRule that originates TLS (SIMPLE or MUTUAL) for it.",
  severity: "critical",
  concern: "tls",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Originate TLS at the gateway: a DestinationRule for the host with tls.mode SIMPLE (or MUTUAL), sni and SANs.",
  kinds: [KIND.DestinationRule, KIND.VirtualService],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const external = externalHosts(objects);
    const rules = ofKind(objects, KIND.DestinationRule);
    const out: Violation[] = [];
    for (const rule of rules) {
      const host = text(specOf(rule).host) ?? "";
      if (!external.has(host)) continue;
      for (const s of tlsSettings(rule).filter((t) => t.mode === "DISABLE")) {
        out.push(
          violation(
            rule,
            `${s.where} sets mode DISABLE toward external host ${host}, so traffic leaves the cluster in plaintext`,
            "set the mode to SIMPLE (or MUTUAL) with sni and subjectAltNames",
          ),
        );
      }
    }
    const originated = new Set(
      rules
        .filter((r) => tlsSettings(r).some((s) => s.mode !== undefined && ORIGINATING_MODES.has(s.mode)))
        .map((r) => text(specOf(r).host) ?? ""),
    );
    const reported = new Set<string>();
    for (const route of mesh.routes) {
      if (route.protocol !== "http" || !route.gateways.some((g) => isGatewayRef(mesh, g))) continue;
      for (const d of route.destinations) {
        const key = `${namespaceOf(route.virtualService)}/${route.virtualService.metadata.name}/${d.host}`;
        if (!external.has(d.host) || originated.has(d.host) || reported.has(key)) continue;
        reported.add(key);
        out.push(
          violation(
            route.virtualService,
            `the egress gateway forwards HTTP to external host ${d.host}, and no DestinationRule originates TLS for it`,
            `add a DestinationRule for ${d.host} in the gateway namespace with tls.mode SIMPLE (or MUTUAL), sni and subjectAltNames`,
          ),
        );
      }
    }
    return out;
  },
};
