import { z } from "zod";
import * as ipaddr from "ipaddr.js";
import { isGoDuration } from "../policy/rules/go-duration";
import { DecryptedSecret } from "./pulumi-secrets";

/**
 * The schema of a stack's `mesh-egress:*` configuration. Every object is strict: a misspelt key is
 * an error, never silently ignored. Fields that a tier baseline fills are optional here and resolved
 * in `baselines.ts`; cross-references (tenant → service, duplicates) are checked in `validate-references.ts`.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const KUBERNETES_QUANTITY = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;

/** A Kubernetes object or namespace name. */
export const dns1123Label = z
  .string()
  .max(63, "must be at most 63 characters")
  .regex(
    DNS1123_LABEL,
    "must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending alphanumeric",
  );

/** An external host name: a fully qualified DNS name, never a wildcard, an IP or an in-cluster name. */
export const externalHost = z
  .string()
  .max(253, "must be at most 253 characters")
  .superRefine((host, ctx) => {
    if (host.includes("*")) {
      ctx.addIssue({
        code: "custom",
        message: `wildcard host "${host}" is not allowed: list each host explicitly (a wildcard cannot resolve by DNS at the gateway)`,
      });
    } else if (ipaddr.isValid(host) || ipaddr.isValid(host.replace(/^\[|\]$/g, ""))) {
      ctx.addIssue({
        code: "custom",
        message: `IP host "${host}" is not allowed: declare the DNS name, and narrow addresses with allowedCidrs`,
      });
    } else if (!DNS1123_SUBDOMAIN.test(host) || !host.includes(".")) {
      ctx.addIssue({
        code: "custom",
        message: `"${host}" is not a fully qualified lowercase DNS name (e.g. api.stripe.com)`,
      });
    } else if (/\.(svc|cluster\.local|local)$/.test(host)) {
      ctx.addIssue({
        code: "custom",
        message: `"${host}" is an in-cluster name: only services outside the cluster belong in the egress registry`,
      });
    }
  });

/** A CIDR block, IPv4 or IPv6. */
export const cidr = z.string().refine((value) => ipaddr.isValidCIDR(value), {
  message: "must be a CIDR block such as 203.0.113.0/24 or 2001:db8::/32",
});

const quantity = z.union([
  z.string().regex(KUBERNETES_QUANTITY, "must be a Kubernetes quantity"),
  z.number(),
]);

const resourceList = z.strictObject({
  cpu: quantity.optional(),
  memory: quantity.optional(),
});

export const routingModes = ["passthrough", "passthrough-mtls", "originate", "originate-mutual"] as const;
export type RoutingMode = (typeof routingModes)[number];

/** True for modes where the gateway terminates mesh mTLS and originates TLS itself. */
export function originatesTls(service: { readonly mode: RoutingMode }): boolean {
  return service.mode === "originate" || service.mode === "originate-mutual";
}

export const spreadPolicies = ["DoNotSchedule", "ScheduleAnyway", "off"] as const;

const toleration = z.strictObject({
  key: z.string().optional(),
  operator: z.enum(["Exists", "Equal"]).optional(),
  value: z.string().optional(),
  effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).optional(),
  tolerationSeconds: z.number().int().optional(),
});

const disruptionBudget = z.union([
  z.strictObject({ minAvailable: z.union([z.number().int().min(1), z.string().regex(/^[0-9]+%$/)]) }),
  z.strictObject({ maxUnavailable: z.union([z.number().int().min(1), z.string().regex(/^[0-9]+%$/)]) }),
  z.literal(false),
]);

export const gatewaySchema = z.strictObject({
  /** Namespace of the gateway and of every gateway-side routing object. */
  namespace: dns1123Label.default("istio-egress"),
  /** Helm release name; the Service is `<releaseName>.<namespace>.svc.cluster.local`. */
  releaseName: dns1123Label.default("istio-egressgateway"),
  chart: z
    .strictObject({
      version: z.string().min(1).default("1.30.3"),
      repository: z.url().default("https://istio-release.storage.googleapis.com/charts"),
    })
    .default({ version: "1.30.3", repository: "https://istio-release.storage.googleapis.com/charts" }),
  replicas: z
    .strictObject({
      min: z.number().int().min(1).optional(),
      max: z.number().int().min(1).optional(),
    })
    .optional(),
  targetCpuUtilizationPercentage: z.number().int().min(1).max(100).optional(),
  resources: z
    .strictObject({ requests: resourceList.optional(), limits: resourceList.optional() })
    .optional(),
  podDisruptionBudget: disruptionBudget.optional(),
  spread: z
    .strictObject({
      zone: z.enum(spreadPolicies).optional(),
      node: z.enum(spreadPolicies).optional(),
    })
    .optional(),
  nodeSelector: z.record(z.string(), z.string()).optional(),
  tolerations: z.array(toleration).optional(),
  /** Namespaces (e.g. monitoring) allowed to scrape the gateway's metrics port. */
  scrapeFromNamespaces: z.array(dns1123Label).default([]),
});

export const controlPlaneSchema = z.strictObject({
  /** Install Istio base + istiod (clusters the stack owns), or use the Istio already there. */
  install: z.boolean().default(false),
  namespace: dns1123Label.default("istio-system"),
  chart: z
    .strictObject({
      version: z.string().min(1).default("1.30.3"),
      repository: z.url().default("https://istio-release.storage.googleapis.com/charts"),
    })
    .default({ version: "1.30.3", repository: "https://istio-release.storage.googleapis.com/charts" }),
  /** The mesh trust domain, used in SPIFFE identities. */
  trustDomain: z.string().min(1).default("cluster.local"),
});

export const clusterSchema = z.strictObject({
  dns: z
    .strictObject({
      namespace: dns1123Label.default("kube-system"),
      podLabels: z.record(z.string(), z.string()).default({ "k8s-app": "kube-dns" }),
    })
    .default({ namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" } }),
});

const pemCertificates = z
  .string()
  .includes("-----BEGIN CERTIFICATE-----", { message: "must be PEM certificates" });

const caBundle = z.union([
  z.strictObject({ pem: pemCertificates }),
  z.strictObject({ secretRef: z.strictObject({ name: dns1123Label, key: z.string().default("ca.crt") }) }),
  z.strictObject({ configMapRef: z.strictObject({ name: dns1123Label, key: z.string().default("ca.crt") }) }),
]);

/** A duration as cert-manager reads it (Go's time.ParseDuration). */
export const goDuration = z.string().refine(isGoDuration, {
  message: "must be a Go duration such as 2160h, 90m or 1h30m (days are not a unit)",
});

export const keyAlgorithms = ["ECDSA", "RSA", "Ed25519"] as const;
export type KeyAlgorithm = (typeof keyAlgorithms)[number];

/** The size cert-manager uses when none is given; Ed25519 has none. */
const DEFAULT_KEY_SIZE: Readonly<Record<KeyAlgorithm, number | undefined>> = {
  ECDSA: 256,
  RSA: 2048,
  Ed25519: undefined,
};

/** A private key request; ECDSA P-256 unless the stack asks otherwise. Strength is checked in validate-references. */
export const privateKeySchema = z
  .strictObject({
    algorithm: z
      .enum(keyAlgorithms, { error: `must be one of ${keyAlgorithms.join(", ")}` })
      .default("ECDSA"),
    size: z.number().int().optional(),
  })
  .transform((key) => ({ algorithm: key.algorithm, size: key.size ?? DEFAULT_KEY_SIZE[key.algorithm] }));

/**
 * A secret value in structured config. In a stack file it must read `{secure: v1:…}`; under `pulumi
 * up` the engine decrypts it (see pulumi-secrets.ts). Plain text is kept only as the fact that it
 * was plain text: the text itself is dropped here, so no later error or output can echo it.
 */
const secretValue = z
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

const commonName = z.string().min(1).max(64, "must be at most 64 characters (the X.509 limit)");

/** The client certificate the gateway presents for an originate-mutual service, issued by cert-manager. */
export const clientCertificateSchema = z.strictObject({
  /** Name of an entry of `mesh-egress:issuers`. */
  issuer: z
    .string({ error: "name the issuer that signs it (an entry of mesh-egress:issuers)" })
    .pipe(dns1123Label),
  commonName: commonName.optional(),
  dnsNames: z
    .array(z.string().regex(DNS1123_SUBDOMAIN, "must be a lowercase DNS name without wildcards"))
    .min(1)
    .optional(),
  uris: z
    .array(z.url({ error: "must be an absolute URI such as spiffe://corp.example/egress" }))
    .min(1)
    .optional(),
  subject: certificateSubjectSchema.optional(),
  privateKey: privateKeySchema.prefault({}),
  /** Requested lifetime; cert-manager's own default is 90 days. */
  duration: goDuration.default("2160h"),
  /** How long before expiry cert-manager renews (and, with rotationPolicy Always, re-keys). */
  renewBefore: goDuration.default("360h"),
});

export const issuerKinds = ["Issuer", "ClusterIssuer"] as const;

/** A root of trust for client certificates: exactly one of ca, selfSigned or vault (checked in validate-references). */
export const issuerSchema = z.strictObject({
  name: dns1123Label,
  /** Issuer (in the gateway namespace) or ClusterIssuer (its Secrets in cert-manager's namespace). */
  kind: z.enum(issuerKinds, { error: "must be Issuer or ClusterIssuer" }).default("Issuer"),
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
      caBundle: pemCertificates.optional(),
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
});

export const serviceTlsSchema = z.strictObject({
  /** SNI sent to the external server; defaults to the host. Only for single-host services. */
  sni: externalHost.optional(),
  /** Names the server certificate must carry; default: the host. */
  subjectAltNames: z.array(z.string().min(1)).min(1).optional(),
  /** The external server's CA bundle; default: the gateway's system roots. */
  caBundle: caBundle.optional(),
  /** Secret in the gateway namespace holding the client certificate (originate-mutual). */
  credentialName: dns1123Label.optional(),
  /** The client certificate cert-manager issues into `credentialName` (originate-mutual). */
  clientCertificate: clientCertificateSchema.optional(),
});

export const externalServiceSchema = z.strictObject({
  name: dns1123Label,
  description: z.string().optional(),
  hosts: z.array(externalHost).min(1, "list at least one host"),
  /** The external server's TLS port. */
  port: z.number().int().min(1).max(65535).default(443),
  mode: z.enum(routingModes, {
    error: `must be one of ${routingModes.join(", ")}`,
  }),
  tls: serviceTlsSchema.optional(),
  /** Public CIDRs the gateway may reach for this service; narrows the gateway's NetworkPolicy. */
  allowedCidrs: z.array(cidr).optional(),
});

export const tenantSchema = z.strictObject({
  namespace: dns1123Label,
  description: z.string().optional(),
  /** Names of the external services this namespace may reach. */
  allow: z.array(dns1123Label).default([]),
});

const componentSizing = z.strictObject({
  replicas: z.number().int().min(1).optional(),
  resources: z
    .strictObject({ requests: resourceList.optional(), limits: resourceList.optional() })
    .optional(),
});

const CERT_MANAGER_CHART = { version: "v1.21.1", repository: "https://charts.jetstack.io" };

export const certManagerSchema = z
  .strictObject({
    /** Install cert-manager (CRDs included), or use the cert-manager already in the cluster. */
    install: z.boolean().default(false),
    /** Where cert-manager runs; also where ClusterIssuers keep their Secrets. */
    namespace: dns1123Label.default("cert-manager"),
    chart: z
      .strictObject({
        version: z.string().min(1).default(CERT_MANAGER_CHART.version),
        repository: z.url().default(CERT_MANAGER_CHART.repository),
      })
      .default(CERT_MANAGER_CHART),
    /** The existing controller's ServiceAccount (install: false); Vault issuers grant it token requests. */
    serviceAccountName: dns1123Label.optional(),
    controller: componentSizing.optional(),
    webhook: componentSizing.optional(),
    cainjector: componentSizing.optional(),
  })
  .superRefine((value, ctx) => {
    if (!value.install) {
      for (const part of ["controller", "webhook", "cainjector"] as const) {
        if (value[part]) {
          ctx.addIssue({
            code: "custom",
            path: [part],
            message:
              "sizing applies only to a cert-manager this stack installs: set install: true or remove it",
          });
        }
      }
    } else if (value.serviceAccountName) {
      ctx.addIssue({
        code: "custom",
        path: ["serviceAccountName"],
        message:
          "names the ServiceAccount of a cert-manager the stack does not install; with install: true the chart's own (cert-manager) is used: remove it",
      });
    }
  });

export const validationActions = ["Deny", "Warn", "Audit"] as const;
export type ValidationAction = (typeof validationActions)[number];

/** Admission guardrails; validationActions defaults to the tier baseline (baselines.ts). */
export const guardrailsSchema = z.strictObject({
  enabled: z.boolean().default(true),
  validationActions: z
    .array(z.enum(validationActions, { error: `must be one of ${validationActions.join(", ")}` }))
    .min(1, "list at least one action")
    .refine((actions) => new Set(actions).size === actions.length, "must not repeat an action")
    .refine(
      (actions) => !(actions.includes("Deny") && actions.includes("Warn")),
      "Deny and Warn cannot be combined (the API server refuses the binding): use [Deny] or [Warn, Audit]",
    )
    .optional(),
});

export const environmentSchema = z.enum(["dev", "prod"], { error: "must be dev or prod" });

/** Every `mesh-egress:<key>` a stack may set. */
export const stackConfigSchema = z.strictObject({
  environment: environmentSchema,
  gateway: gatewaySchema.default(gatewaySchema.parse({})),
  controlPlane: controlPlaneSchema.default(controlPlaneSchema.parse({})),
  cluster: clusterSchema.default(clusterSchema.parse({})),
  certManager: certManagerSchema.default(certManagerSchema.parse({})),
  issuers: z.array(issuerSchema).default([]),
  services: z.array(externalServiceSchema).default([]),
  tenants: z.array(tenantSchema).default([]),
  guardrails: guardrailsSchema.default({ enabled: true }),
});

export type StackConfigInput = z.input<typeof stackConfigSchema>;
export type ParsedStackConfig = z.output<typeof stackConfigSchema>;
export type ParsedGateway = z.output<typeof gatewaySchema>;
export type ParsedCertManager = z.output<typeof certManagerSchema>;
export type ParsedGuardrails = z.output<typeof guardrailsSchema>;
