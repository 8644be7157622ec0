import { defaultKeySize, KIND, KubernetesObject } from "../../contract";
import { fields, integer, specOf, text } from "../../mesh/object-fields";
import { ResourceRule, Violation, violation } from "../../engine/rule";

export const certificateKeyStrength: ResourceRule = {
  name: "certificate-key-strength",
  description:
    "Every cert-manager Certificate requests a strong private key: RSA of at least 2048 bits, ECDSA on P-256, " +
    "P-384 or P-521, or Ed25519. A weaker key can be factored or forged, and whoever holds it can authenticate " +
    "as the egress gateway to a partner, or sign client certificates if it belongs to a CA.",
  severity: "high",
  concern: "tls",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: "Request ECDSA P-256 (privateKey: {algorithm: ECDSA, size: 256}) or RSA of 2048 bits or more.",
  kinds: [KIND.Certificate],
  scope: "resource",
  check(certificate: KubernetesObject): Violation[] {
    const key = fields(specOf(certificate).privateKey);
    const algorithm = text(key.algorithm) ?? "RSA";
    const size = integer(key.size) ?? defaultKeySize(algorithm);
    const fix =
      "request ECDSA P-256 (the mesh-egress default) or RSA 2048+, and let cert-manager re-key on renewal";
    if (algorithm === "RSA" && (size ?? 0) < 2048) {
      return [violation(certificate, `requests a weak ${size}-bit RSA key (the minimum is 2048)`, fix)];
    }
    if (algorithm === "ECDSA" && ![256, 384, 521].includes(size ?? 0)) {
      return [
        violation(
          certificate,
          `requests ECDSA size ${size}, which is no NIST curve cert-manager issues`,
          fix,
        ),
      ];
    }
    if (!["RSA", "ECDSA", "Ed25519"].includes(algorithm)) {
      return [violation(certificate, `requests the unknown key algorithm ${algorithm}`, fix)];
    }
    return [];
  },
};
