import { z } from "zod";
import {
  DEFAULT_CERTIFICATE_DURATION,
  DEFAULT_KEY_SIZE,
  describeDuration,
  ECDSA_KEY_SIZES,
  goDurationSeconds,
  isGoDuration,
  KEY_ALGORITHMS,
  type KeyAlgorithm,
  MIN_RSA_KEY_SIZE,
  RSA_KEY_SIZES,
} from "../../policy/contract";
import { dns1123Label, isDnsSubdomain } from "./values/kubernetes-values";
import { DecryptedSecret } from "./values/pulumi-secrets";

/** Certificates, keys and secrets as cert-manager and the stack's issuers and services take them. */

export const pemCertificates = z
  .string()
  .includes("-----BEGIN CERTIFICATE-----", { message: "must be PEM certificates" });

export const caBundle = z.union([
  z.strictObject({ pem: pemCertificates }),
  z.strictObject({ secretRef: z.strictObject({ name: dns1123Label, key: z.string().default("ca.crt") }) }),
  z.strictObject({ configMapRef: z.strictObject({ name: dns1123Label, key: z.string().default("ca.crt") }) }),
]);

/** A duration as cert-manager reads it (Go's time.ParseDuration). */
export const goDuration = z.string().refine(isGoDuration, {
  message: "must be a Go duration such as 2160h, 90m or 1h30m (days are not a unit)",
});

export const keyAlgorithms = KEY_ALGORITHMS;
export type { KeyAlgorithm };

/** Why cert-manager would refuse a key request, or why it is too weak; undefined when it is fine. */
function keySizeProblem(algorithm: KeyAlgorithm, size: number | undefined): string | undefined {
  switch (algorithm) {
    case "RSA":
      if ((size ?? 0) < MIN_RSA_KEY_SIZE) {
        return `weak key: RSA ${size} bits is below ${MIN_RSA_KEY_SIZE}; use ECDSA (P-256, the default) or RSA ${MIN_RSA_KEY_SIZE}+`;
      }
      return RSA_KEY_SIZES.includes(size ?? 0)
        ? undefined
        : `cert-manager accepts RSA sizes ${RSA_KEY_SIZES.slice(0, -1).join(", ")} or ${RSA_KEY_SIZES.at(-1)}, not ${size}`;
    case "ECDSA":
      return ECDSA_KEY_SIZES.includes(size ?? 0)
        ? undefined
        : `ECDSA keys are P-256, P-384 or P-521: size ${ECDSA_KEY_SIZES.slice(0, -1).join(", ")} or ${ECDSA_KEY_SIZES.at(-1)}, not ${size}`;
    case "Ed25519":
      return size === undefined ? undefined : "Ed25519 keys have a fixed size: remove size";
    default:
      return algorithm satisfies never;
  }
}

/** A private key request; ECDSA P-256 unless the stack asks otherwise; as strong as the policy pack demands. */
export const privateKeySchema = z
  .strictObject({
    algorithm: z
      .enum(keyAlgorithms, { error: `must be one of ${keyAlgorithms.join(", ")}` })
      .default("ECDSA"),
    size: z.number().int().optional(),
  })
  .superRefine((key, ctx) => {
    const problem = keySizeProblem(key.algorithm, key.size ?? DEFAULT_KEY_SIZE[key.algorithm]);
    if (problem) ctx.addIssue({ code: "custom", path: ["size"], message: problem });
  })
  .transform((key) => ({ algorithm: key.algorithm, size: key.size ?? DEFAULT_KEY_SIZE[key.algorithm] }));

/**
 * A secret value in structured config. In a stack file it must read `{secure: v1:…}`; under `pulumi
 * up` the engine decrypts it (see values/pulumi-secrets.ts). Plain text is kept only as the fact that it
 * was plain text: the text itself is dropped here, so no later error or output can echo it.
 */
export const secretValue = z
  .union([z.instanceof(DecryptedSecret), z.strictObject({ secure: z.string().min(1) }), z.string()], {
    error: "must be a Pulumi secret ({secure: ...}): set it with pulumi config set --secret --path",
  })
  .transform((value) =>
    value instanceof DecryptedSecret
      ? { state: "decrypted" as const, value }
      : typeof value === "string"
        ? { state: "plaintext" as const }
        : { state: "encrypted" as const },
  );

const nameList = z.array(z.string().min(1)).min(1);

export const certificateSubjectSchema = z.strictObject({
  organizations: nameList.optional(),
  organizationalUnits: nameList.optional(),
  countries: nameList.optional(),
  localities: nameList.optional(),
  provinces: nameList.optional(),
  streetAddresses: nameList.optional(),
  postalCodes: nameList.optional(),
  serialNumber: z.string().min(1).optional(),
});

/** cert-manager's limits: at least 1h of life, renewal at least 5m before expiry and before it starts. */
export function checkLifetime(
  { duration, renewBefore }: { readonly duration: string; readonly renewBefore: string },
  ctx: z.RefinementCtx,
): void {
  if (!isGoDuration(duration) || !isGoDuration(renewBefore)) return;
  const life = goDurationSeconds(duration);
  const lead = goDurationSeconds(renewBefore);
  const add = (field: string, message: string) => ctx.addIssue({ code: "custom", path: [field], message });
  if (life < 3600) add("duration", `${duration} is below cert-manager's minimum of 1h`);
  if (lead < 300) add("renewBefore", `${renewBefore} is below cert-manager's minimum of 5m`);
  if (lead >= life) {
    add(
      "renewBefore",
      `renewBefore ${describeDuration(renewBefore)} must be shorter than duration ${describeDuration(duration)}, or the certificate is due for renewal as soon as it is issued: e.g. duration 2160h with renewBefore 360h`,
    );
  }
}

export const commonName = z.string().min(1).max(64, "must be at most 64 characters (the X.509 limit)");

/** The client certificate the gateway presents for an originate-mutual service, issued by cert-manager. */
export const clientCertificateSchema = z
  .strictObject({
    /** Name of an entry of `mesh-egress:issuers`. */
    issuer: z
      .string({ error: "name the issuer that signs it (an entry of mesh-egress:issuers)" })
      .pipe(dns1123Label),
    commonName: commonName.optional(),
    dnsNames: z
      .array(z.string().refine(isDnsSubdomain, "must be a lowercase DNS name without wildcards"))
      .min(1)
      .optional(),
    uris: z
      .array(z.url({ error: "must be an absolute URI such as spiffe://corp.example/egress" }))
      .min(1)
      .optional(),
    subject: certificateSubjectSchema.optional(),
    privateKey: privateKeySchema.prefault({}),
    /** Requested lifetime; cert-manager's own default is 90 days. */
    duration: goDuration.default(DEFAULT_CERTIFICATE_DURATION),
    /** How long before expiry cert-manager renews (and, with rotationPolicy Always, re-keys). */
    renewBefore: goDuration.default("360h"),
  })
  .superRefine((certificate, ctx) => {
    if (!certificate.commonName && !certificate.dnsNames && !certificate.uris) {
      ctx.addIssue({
        code: "custom",
        message: "names no identity: set commonName, dnsNames or uris (what the partner's server authorizes)",
      });
    }
    checkLifetime(certificate, ctx);
  });
