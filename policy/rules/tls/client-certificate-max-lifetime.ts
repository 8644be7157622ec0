import { DEFAULT_CERTIFICATE_DURATION, KIND, KubernetesObject } from "../../contract";
import { integer, specOf, text } from "../../mesh/object-fields";
import { ResourceRule, Violation, violation } from "../../engine/rule";
import { isClientCertificate, durationSeconds } from "../../mesh/certificate-readers";

/** The prod ceiling on a client certificate's lifetime unless the policy config says otherwise. */
const DEFAULT_MAX_CLIENT_CERTIFICATE_DAYS = 90;

const days = (seconds: number): string => `${+(seconds / 86400).toFixed(1)} days`;

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
