import { KIND, KubernetesObject } from "../../contract";
import { dig, namespaceOf, ofKind, specOf, text } from "../../mesh/object-fields";
import type { MeshTopology } from "../../mesh/mesh-topology";
import { StackRule, Violation, violation } from "../../engine/rule";

export const issuerKeysOutsideGatewayNamespace: StackRule = {
  name: "issuer-keys-outside-gateway-namespace",
  description:
    "No CA key material lives in the egress gateway's namespace: no Issuer there signs from a CA Secret " +
    "(`spec.ca`), and no Certificate there is a CA (`isCA: true`). The istio/gateway chart's Role lets the " +
    "gateway read every Secret in its namespace (istiod needs that for client certificates), so a compromised " +
    "gateway pod could mint client certificates partners trust. Only client certificates and `-cacert` roots " +
    "belong beside the gateway.",
  severity: "critical",
  concern: "tls",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Make the CA issuer a ClusterIssuer, its key pair in cert-manager's namespace; keep only client certificates in the gateway namespace.",
  kinds: [KIND.Issuer, KIND.Certificate],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const gateway = mesh.gatewayNamespace;
    if (gateway === undefined) return [];
    const inGateway = (o: KubernetesObject) => namespaceOf(o) === gateway;
    const fix = "use a ClusterIssuer whose CA Secret lives in cert-manager's namespace";
    return [
      ...ofKind(objects, KIND.Issuer)
        .filter((issuer) => inGateway(issuer) && dig(issuer.spec, "ca") !== undefined)
        .map((issuer) =>
          violation(
            issuer,
            `signs from CA Secret ${text(dig(issuer.spec, "ca", "secretName")) ?? "<unnamed>"} in the gateway namespace ${gateway}, which the gateway can read`,
            fix,
          ),
        ),
      ...ofKind(objects, KIND.Certificate)
        .filter((certificate) => inGateway(certificate) && specOf(certificate).isCA === true)
        .map((certificate) =>
          violation(
            certificate,
            `issues a CA key pair into the gateway namespace ${gateway}, which the gateway can read`,
            fix,
          ),
        ),
    ];
  },
};
