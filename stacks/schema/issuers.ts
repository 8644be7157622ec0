import { z } from "zod";
import {
  checkLifetime,
  commonName,
  goDuration,
  pemCertificates,
  privateKeySchema,
  secretValue,
} from "./certificates";
import { dns1123Label } from "./values/kubernetes-values";
import { parsePemCertificates } from "./values/pem-certificates";

export const issuerKinds = ["Issuer", "ClusterIssuer"] as const;

/** A root of trust for client certificates: exactly one of ca, selfSigned or vault. */
export const issuerSchema = z
  .strictObject({
    name: dns1123Label,
    /**
     * Issuer (in the gateway namespace) or ClusterIssuer (its Secrets in cert-manager's namespace). Default:
     * ClusterIssuer for issuers holding a CA key (ca, selfSigned), Issuer for vault (no key in the cluster).
     */
    kind: z.enum(issuerKinds, { error: "must be Issuer or ClusterIssuer" }).optional(),
    /** A CA key pair: an existing Secret (secretName), or a certificate plus a Pulumi-secret private key. */
    ca: z
      .strictObject({
        secretName: dns1123Label.optional(),
        certificate: pemCertificates.optional(),
        privateKey: secretValue.optional(),
      })
      .optional(),
    /** Dev only: cert-manager mints a private root (SelfSigned issuer → CA Certificate → CA issuer). */
    selfSigned: z
      .strictObject({
        commonName: commonName.optional(),
        privateKey: privateKeySchema.prefault({}),
        duration: goDuration.default("26280h"),
        renewBefore: goDuration.default("2160h"),
      })
      .superRefine(checkLifetime)
      .optional(),
    /** A Vault PKI role, authenticated with a Kubernetes service account token. */
    vault: z
      .strictObject({
        server: z.url({
          protocol: /^https$/,
          error:
            "must be an https:// URL such as https://vault.example.com:8200: Vault is reached over TLS only",
        }),
        /** The PKI sign path, e.g. pki_int/sign/egress-client. */
        path: z
          .string({ error: "the Vault PKI sign path is required, e.g. pki_int/sign/egress-client" })
          .min(1),
        /** Vault Enterprise namespace. */
        namespace: z.string().min(1).optional(),
        /** PEM roots that verify Vault's server certificate; default: cert-manager's system roots. */
        caBundle: pemCertificates
          .superRefine((pem, ctx) => {
            const parsed = parsePemCertificates(pem);
            if ("problem" in parsed)
              ctx.addIssue({ code: "custom", message: `${parsed.problem}: give Vault's CA as PEM` });
          })
          .optional(),
        auth: z.strictObject(
          {
            kubernetes: z.strictObject({
              role: z.string({ error: "the Vault role cert-manager logs in as is required" }).min(1),
              mountPath: z
                .string()
                .startsWith("/", "must be an absolute path such as /v1/auth/kubernetes")
                .default("/v1/auth/kubernetes"),
              /** The ServiceAccount whose token cert-manager presents; created by the program. Default `<issuer>-vault`. */
              serviceAccountRef: z
                .strictObject({ name: dns1123Label, audiences: z.array(z.string().min(1)).min(1).optional() })
                .optional(),
            }),
          },
          {
            error:
              "needs auth.kubernetes.role: cert-manager logs in to Vault with a Kubernetes ServiceAccount token",
          },
        ),
      })
      .optional(),
  })
  .superRefine((issuer, ctx) => {
    const sources = (["ca", "selfSigned", "vault"] as const).filter((source) => issuer[source] !== undefined);
    if (sources.length !== 1) {
      ctx.addIssue({
        code: "custom",
        message: `declare exactly one of ca, selfSigned or vault (found ${sources.length === 0 ? "none" : sources.join(" and ")})`,
      });
    }
    const keyHolder = sources.find((source) => source !== "vault");
    if (issuer.kind === "Issuer" && keyHolder) {
      ctx.addIssue({
        code: "custom",
        path: ["kind"],
        message: `a ${keyHolder} issuer's CA key pair would live in the gateway namespace, where the gateway's Role reads every Secret: a compromised gateway pod could mint client certificates partners trust; use kind ClusterIssuer (the default), which keeps the key in cert-manager's namespace`,
      });
    }
  })
  .transform((issuer) => {
    const kind: (typeof issuerKinds)[number] = issuer.kind ?? (issuer.vault ? "Issuer" : "ClusterIssuer");
    return { ...issuer, kind };
  });
