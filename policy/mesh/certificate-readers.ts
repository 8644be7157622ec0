import { goDurationSeconds, isGoDuration, KIND, KubernetesObject, ObjectKind } from "../contract";
import { fields, fieldsList, namespaceOf, ofKind, specOf, text, texts } from "./object-fields";

/**
 * The roots of TLS origination (issue 4): cert-manager Certificates that authenticate the egress
 * gateway to partners, and the credentials and server roots its MUTUAL DestinationRules name.
 */

/** Seconds of a Go duration (what cert-manager reads), or undefined when it is not one. */
export function durationSeconds(value: unknown): number | undefined {
  const raw = text(value);
  return raw !== undefined && isGoDuration(raw) ? goDurationSeconds(raw) : undefined;
}

/** A Certificate the gateway presents as a client: `client auth` usage, not a CA. */
export function isClientCertificate(certificate: KubernetesObject): boolean {
  const spec = specOf(certificate);
  return spec.isCA !== true && texts(spec.usages).includes("client auth");
}

/** Every MUTUAL tls block of a DestinationRule that names a credential, wherever it sits. */
export function mutualCredentials(rule: KubernetesObject): { where: string; credentialName: string }[] {
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
export function indexBy(
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

/** One credential a MUTUAL DestinationRule presents, with what the stack holds for it in the rule's namespace. */
export interface MutualCredentialUse {
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

/** Each credential a MUTUAL DestinationRule names, with the Certificate and Secrets of its namespace to check it against. */
export function* mutualCredentialUses(objects: readonly KubernetesObject[]): Generator<MutualCredentialUse> {
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
