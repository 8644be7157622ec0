import { DEFAULT_CERTIFICATE_DURATION, KIND, KubernetesObject } from "../../contract";
import { dig } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";
import { mutualCredentialUses, isClientCertificate, durationSeconds } from "../../mesh/certificate-readers";

export const mutualOriginationCredentialProvided: StackRule = {
  name: "mutual-origination-credential-provided",
  description:
    "Every MUTUAL DestinationRule's `credentialName` is provided in the same namespace, by a cert-manager " +
    "Certificate with that `secretName` (issued for `client auth`, renewed before it expires) or by a Secret of " +
    "that name. Otherwise the gateway has no client certificate to present and every call to the partner fails, " +
    "or it presents one the partner's server rejects.",
  severity: "high",
  concern: "tls",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Declare tls.clientCertificate for the service (a Certificate with secretName = credentialName), or create the Secret.",
  kinds: [KIND.DestinationRule],
  scope: "stack",
  check(objects: readonly KubernetesObject[]): Violation[] {
    const out: Violation[] = [];
    for (const use of mutualCredentialUses(objects)) {
      const { rule, where, credentialName, namespace, certificate, secret } = use;
      if (!certificate) {
        if (!secret(credentialName)) {
          out.push(
            violation(
              rule,
              `${where} presents credential "${credentialName}", but no Certificate (secretName ${credentialName}) or Secret in ${namespace ?? "its namespace"} provides it`,
              `issue it with a cert-manager Certificate whose secretName is ${credentialName}, in ${namespace ?? "the rule's namespace"}`,
            ),
          );
        }
        continue;
      }
      if (!isClientCertificate(certificate)) {
        out.push(
          violation(
            rule,
            `${where} presents credential "${credentialName}", issued by Certificate ${namespace}/${certificate.metadata.name} without the client auth usage`,
            `give Certificate ${certificate.metadata.name} usages [client auth, digital signature]`,
          ),
        );
      }
      const life = durationSeconds(dig(certificate, "spec", "duration") ?? DEFAULT_CERTIFICATE_DURATION);
      const lead = durationSeconds(dig(certificate, "spec", "renewBefore"));
      if (life !== undefined && lead !== undefined && lead >= life) {
        out.push(
          violation(
            rule,
            `${where} presents credential "${credentialName}", whose Certificate is never renewed before it expires (renewBefore ≥ duration)`,
            `set renewBefore of Certificate ${certificate.metadata.name} well below its duration`,
          ),
        );
      }
    }
    return out;
  },
};
