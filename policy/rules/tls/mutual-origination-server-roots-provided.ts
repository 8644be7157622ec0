import {
  KIND,
  KubernetesObject,
  SERVER_ROOTS_KEY,
  SERVER_ROOTS_KEYS,
  SERVER_ROOTS_SECRET_ANNOTATION,
  serverRootsSecretName,
} from "../../contract";
import { annotationsOf, fields } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";
import { mutualCredentialUses } from "../../mesh/certificate-readers";

/** cert-manager marks the Secrets it issues with its annotations. */
const issuedByCertManager = (secret: KubernetesObject): boolean =>
  Object.keys(annotationsOf(secret)).some((k) => k.startsWith("cert-manager.io/"));

const secretKeys = (secret: KubernetesObject): string[] => [
  ...Object.keys(fields(secret.data)),
  ...Object.keys(fields(secret.stringData)),
];

export const mutualOriginationServerRootsProvided: StackRule = {
  name: "mutual-origination-server-roots-provided",
  description:
    "Every MUTUAL DestinationRule that names a credential has the external server's roots beside it: a Secret " +
    "`<credentialName>-cacert` in the same namespace (or the credential's own Secret carries `cacert`, or the " +
    "rule's `mesh-egress.io/server-roots-secret` annotation names that Secret as managed elsewhere). istiod " +
    "reads the roots from there first and otherwise falls back to the credential's `ca.crt`, which for a " +
    "cert-manager Secret is the client issuer's CA: the server would then be checked against the wrong roots.",
  severity: "high",
  concern: "tls",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Give the service tls.caBundle (mesh-egress writes <credentialName>-cacert), or create that Secret.",
  kinds: [KIND.DestinationRule],
  scope: "stack",
  check(objects: readonly KubernetesObject[]): Violation[] {
    const out: Violation[] = [];
    for (const use of mutualCredentialUses(objects)) {
      const { rule, where, credentialName, namespace, certificate, secret } = use;
      const rootsName = serverRootsSecretName(credentialName);
      const roots = secret(rootsName);
      if (roots && SERVER_ROOTS_KEYS.some((k) => secretKeys(roots).includes(k))) continue;
      // Roots in a Secret the stack references but does not manage, declared on the rule for reviewers.
      if (!roots && annotationsOf(rule)[SERVER_ROOTS_SECRET_ANNOTATION] === rootsName) continue;
      const own = secret(credentialName);
      // A Secret the user wrote may carry the server's roots under cacert or ca.crt (Istio documents both for
      // MUTUAL origination); only cert-manager's ca.crt is the client issuer's CA.
      if (
        !roots &&
        own &&
        !certificate &&
        !issuedByCertManager(own) &&
        SERVER_ROOTS_KEYS.some((k) => secretKeys(own).includes(k))
      ) {
        continue;
      }
      out.push(
        violation(
          rule,
          roots
            ? `${where} verifies the server against Secret ${rootsName}, which holds neither ${SERVER_ROOTS_KEYS.join(" nor ")}`
            : `${where} presents credential "${credentialName}" but no Secret ${rootsName} holds the server's roots, so istiod would verify the server against the client certificate's own CA`,
          `put the server's CA bundle in Secret ${rootsName} (key ${SERVER_ROOTS_KEY}) in ${namespace ?? "the rule's namespace"}`,
        ),
      );
    }
    return out;
  },
};
