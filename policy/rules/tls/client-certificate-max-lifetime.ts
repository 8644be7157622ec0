import {
  DEFAULT_CERTIFICATE_DURATION,
  defaultKeySize,
  goDurationSeconds,
  isGoDuration,
  KIND,
  KubernetesObject,
  ObjectKind,
  SERVER_ROOTS_KEY,
  SERVER_ROOTS_KEYS,
  SERVER_ROOTS_SECRET_ANNOTATION,
  serverRootsSecretName,
} from "../../contract";
import {
  annotationsOf,
  dig,
  fields,
  fieldsList,
  integer,
  namespaceOf,
  ofKind,
  specOf,
  text,
  texts,
} from "../../mesh/object-fields";
import type { MeshTopology } from "../../mesh/mesh-topology";
import { ResourceRule, Rule, StackRule, Violation, violation } from "../../engine/rule";

/**
 * The roots of TLS origination (issue 4): cert-manager Certificates that authenticate the egress
 * gateway to partners, and the credentials and server roots its MUTUAL DestinationRules name.
 */

/** The prod ceiling on a client certificate's lifetime unless the policy config says otherwise. */
export const DEFAULT_MAX_CLIENT_CERTIFICATE_DAYS = 90;

/** Seconds of a Go duration (what cert-manager reads), or undefined when it is not one. */
function durationSeconds(value: unknown): number | undefined {
  const raw = text(value);
  return raw !== undefined && isGoDuration(raw) ? goDurationSeconds(raw) : undefined;
}

const days = (seconds: number): string => `${+(seconds / 86400).toFixed(1)} days`;

/** A Certificate the gateway presents as a client: `client auth` usage, not a CA. */
function isClientCertificate(certificate: KubernetesObject): boolean {
  const spec = specOf(certificate);
  return spec.isCA !== true && texts(spec.usages).includes("client auth");
}

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

/** A lifetime rule for client certificates with its ceiling in days. */
export function clientCertificateMaxLifetime(
  maxDays: number = DEFAULT_MAX_CLIENT_CERTIFICATE_DAYS,
): ResourceRule {
  return {
    name: "client-certificate-max-lifetime",
    description:
      `A client certificate (usage \`client auth\`) lives at most ${maxDays} days (the policy config's ` +
      "`maxDays`; 90 unless set) and is renewed before it expires (renewBefore shorter than its duration). A " +
      "long-lived client credential stays useful to whoever copies it for its whole life; a short one with " +
      "automatic renewal limits that window without anyone rotating by hand.",
    severity: "medium",
    concern: "tls",
    defaultEnforcement: "mandatory",
    availability: false,
    remediation: `Set duration to ${maxDays * 24}h or less and renewBefore well below it (e.g. 2160h and 360h).`,
    kinds: [KIND.Certificate],
    scope: "resource",
    settings: {
      schema: {
        maxDays: {
          type: "integer",
          minimum: 1,
          default: DEFAULT_MAX_CLIENT_CERTIFICATE_DAYS,
          description: "The longest lifetime, in days, a client certificate may request.",
        },
      },
      configure: (settings) =>
        clientCertificateMaxLifetime(integer(settings.maxDays) ?? DEFAULT_MAX_CLIENT_CERTIFICATE_DAYS),
    },
    check(certificate: KubernetesObject): Violation[] {
      if (!isClientCertificate(certificate)) return [];
      const spec = specOf(certificate);
      const written = text(spec.duration) ?? DEFAULT_CERTIFICATE_DURATION;
      const life = durationSeconds(written);
      if (life === undefined) {
        return [
          violation(
            certificate,
            `has duration "${written}", which is not a Go duration`,
            "write it in hours, e.g. 2160h",
          ),
        ];
      }
      const out: Violation[] = [];
      if (life > maxDays * 86400) {
        out.push(
          violation(
            certificate,
            `is a client certificate valid for ${days(life)} (duration ${written}), longer than the ${maxDays}-day maximum`,
            `set duration to ${maxDays * 24}h or less; cert-manager renews it automatically`,
          ),
        );
      }
      const lead = durationSeconds(spec.renewBefore);
      if (lead !== undefined && lead >= life) {
        out.push(
          violation(
            certificate,
            `renews ${text(spec.renewBefore)} before expiry but is only valid for ${written}, so it is never renewed before it expires`,
            "set renewBefore well below duration, e.g. duration 2160h with renewBefore 360h",
          ),
        );
      }
      return out;
    },
  };
}

export const clientCertificateMaxLifetimeRule = clientCertificateMaxLifetime();

/** Every MUTUAL tls block of a DestinationRule that names a credential, wherever it sits. */
function mutualCredentials(rule: KubernetesObject): { where: string; credentialName: string }[] {
  const out: { where: string; credentialName: string }[] = [];
  const collect = (policy: unknown, where: string): void => {
    const p = fields(policy);
    const add = (tls: unknown, at: string): void => {
      const t = fields(tls);
      const credentialName = text(t.credentialName);
      if (text(t.mode) === "MUTUAL" && credentialName) out.push({ where: at, credentialName });
    };
    add(p.tls, `${where}.tls`);
    fieldsList(p.portLevelSettings).forEach((s, i) => add(s.tls, `${where}.portLevelSettings[${i}].tls`));
  };
  const spec = specOf(rule);
  collect(spec.trafficPolicy, "trafficPolicy");
  fieldsList(spec.subsets).forEach((s, i) => collect(s.trafficPolicy, `subsets[${i}].trafficPolicy`));
  return out;
}

/** Objects of a kind by `<namespace>/<name>`, where name is read by `nameOf`. */
function indexBy(
  objects: readonly KubernetesObject[],
  kind: ObjectKind,
  nameOf: (o: KubernetesObject) => string | undefined,
): Map<string, KubernetesObject> {
  const index = new Map<string, KubernetesObject>();
  for (const o of ofKind(objects, kind)) {
    const name = nameOf(o);
    if (name) index.set(`${namespaceOf(o) ?? ""}/${name}`, o);
  }
  return index;
}

/** cert-manager marks the Secrets it issues with its annotations. */
const issuedByCertManager = (secret: KubernetesObject): boolean =>
  Object.keys(annotationsOf(secret)).some((k) => k.startsWith("cert-manager.io/"));

const secretKeys = (secret: KubernetesObject): string[] => [
  ...Object.keys(fields(secret.data)),
  ...Object.keys(fields(secret.stringData)),
];

/** One credential a MUTUAL DestinationRule presents, with what the stack holds for it in the rule's namespace. */
interface MutualCredentialUse {
  readonly rule: KubernetesObject;
  /** Where in the rule, for messages ("portLevelSettings[0]"). */
  readonly where: string;
  readonly credentialName: string;
  readonly namespace?: string;
  /** The Certificate whose secretName is the credential, if any. */
  readonly certificate?: KubernetesObject;
  /** The Secret of that name in the rule's namespace, if any. */
  secret(name: string): KubernetesObject | undefined;
}

function* mutualCredentialUses(objects: readonly KubernetesObject[]): Generator<MutualCredentialUse> {
  const certificates = indexBy(objects, KIND.Certificate, (c) => text(specOf(c).secretName));
  const secrets = indexBy(objects, KIND.Secret, (s) => text(s.metadata?.name));
  for (const rule of ofKind(objects, KIND.DestinationRule)) {
    const namespace = namespaceOf(rule);
    const prefix = `${namespace ?? ""}/`;
    for (const { where, credentialName } of mutualCredentials(rule)) {
      yield {
        rule,
        where,
        credentialName,
        namespace,
        certificate: certificates.get(`${prefix}${credentialName}`),
        secret: (name) => secrets.get(`${prefix}${name}`),
      };
    }
  }
}

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

/** The certificate rules, in catalog order. */
export const certificateRules: readonly Rule[] = [
  certificateKeyStrength,
  clientCertificateMaxLifetimeRule,
  mutualOriginationCredentialProvided,
  mutualOriginationServerRootsProvided,
  issuerKeysOutsideGatewayNamespace,
];
