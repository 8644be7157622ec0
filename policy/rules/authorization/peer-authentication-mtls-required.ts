import { KIND, KubernetesObject } from "../../contract";
import { MeshTopology } from "../../mesh/mesh-topology";
import { dig, fields, namespaceOf, ofKind, specOf, text } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";

const WEAK_MTLS = new Set(["DISABLE", "PERMISSIVE"]);

export const peerAuthenticationMtlsRequired: StackRule = {
  name: "peer-authentication-mtls-required",
  description:
    "No PeerAuthentication in the gateway namespace, the mesh root namespace or a tenant namespace sets mTLS to " +
    "DISABLE or PERMISSIVE (for the workload or any port). The gateway authorizes tenants by their mTLS " +
    "identity; plaintext there lets a caller reach it without one, or spoof the source the rules rely on.",
  severity: "high",
  concern: "authorization",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Set mtls.mode STRICT (or remove the PeerAuthentication to inherit the mesh's STRICT setting).",
  kinds: [KIND.PeerAuthentication],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const protectedNamespaces = new Set<string>([mesh.rootNamespace, ...mesh.tenantNamespaces]);
    if (mesh.gatewayNamespace) protectedNamespaces.add(mesh.gatewayNamespace);
    const out: Violation[] = [];
    for (const policy of ofKind(objects, KIND.PeerAuthentication)) {
      const namespace = namespaceOf(policy);
      if (namespace === undefined || !protectedNamespaces.has(namespace)) continue;
      const mode = text(dig(policy.spec, "mtls", "mode"));
      const weak: string[] = [];
      if (mode && WEAK_MTLS.has(mode)) weak.push(`mtls.mode ${mode}`);
      for (const [port, setting] of Object.entries(fields(specOf(policy).portLevelMtls))) {
        const portMode = text(dig(setting, "mode"));
        if (portMode && WEAK_MTLS.has(portMode)) weak.push(`port ${port} mode ${portMode}`);
      }
      if (weak.length > 0) {
        out.push(
          violation(
            policy,
            `sets ${weak.join(", ")} in namespace ${namespace}, where the egress gateway relies on mTLS identity`,
            "set mtls.mode (and every portLevelMtls mode) to STRICT",
          ),
        );
      }
    }
    return out;
  },
};
