import { z } from "zod";
import {
  DEFAULT_TENANT_POD_SECURITY,
  POD_SECURITY_LEVELS,
  DEFAULT_CERTIFICATE_DURATION,
  DEFAULT_CLUSTER_DOMAIN,
  DEFAULT_GATEWAY_SERVICE,
  DEFAULT_KEY_SIZE,
  DEFAULT_ROOT_NAMESPACE,
  describeDuration,
  ECDSA_KEY_SIZES,
  goDurationSeconds,
  isGoDuration,
  KEY_ALGORITHMS,
  type KeyAlgorithm,
  MIN_RSA_KEY_SIZE,
  RSA_KEY_SIZES,
  ISTIO_PROXY_PORTS,
  SERVER_ROOTS_KEYS,
  SERVER_ROOTS_SUFFIX,
  serverRootsSecretName,
} from "../policy/contract";
import { isAddressLiteral, normaliseCidr } from "../policy/rules/address-ranges";
import {
  chartSource,
  dns1123Label,
  helmReleaseName,
  isDnsSubdomain,
  labelKey,
  labelMap,
  labelValue,
  trustDomain,
} from "./schema/values/kubernetes-values";
import { quantityValue } from "./schema/values/quantity";
import { isClusterDnsAddress, nodeLocalDnsAddress } from "./schema/values/node-local-dns";
import { pinnedAddresses } from "./schema/values/pinned-addresses";
import { breakGlassEntrySchema, breakGlassMaxHoursSchema } from "./model/break-glass";
import { parsePemCertificates } from "./schema/values/pem-certificates";
import { DecryptedSecret } from "./schema/values/pulumi-secrets";
import { rateLimitsSchema } from "./schema/rate-limits";
import { modesWhere, type RoutingMode, routingModes, routingModeTraits, traitsOf } from "./routing-modes";

/**
 * The schema of a stack's `mesh-egress:*` configuration. Every object is strict: a misspelt key is
 * an error, never silently ignored. Fields that a tier baseline fills are optional here and resolved
 * in `baselines.ts`. Checks within one object (mode and tls, key strength, lifetimes, issuer source)
 * are here, so their errors name their paths; cross-references (tenant → service, duplicates,
 * baseline-resolved values) are checked in `validate-references.ts`.
 */

/** apimachinery's quantity grammar: <signedNumber><binarySI | decimalSI | decimalExponent>. */
const KUBERNETES_QUANTITY =
  /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$/;

export { dns1123Label };

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
    } else if (isAddressLiteral(host)) {
      ctx.addIssue({
        code: "custom",
        message: `IP host "${host}" is not allowed: declare the DNS name, and pin its addresses with pinnedAddresses`,
      });
    } else if (!isDnsSubdomain(host) || !host.includes(".")) {
      ctx.addIssue({
        code: "custom",
        message: `"${host}" is not a fully qualified lowercase DNS name (e.g. api.stripe.com; each label at most 63 characters)`,
      });
    } else if (/^[0-9]+$/.test(host.slice(host.lastIndexOf(".") + 1))) {
      ctx.addIssue({
        code: "custom",
        message: `"${host}" ends in a numeric label: no top-level domain is numeric, so resolvers read it as an address`,
      });
    } else if (/\.(svc|cluster\.local|local)$/.test(host)) {
      ctx.addIssue({
        code: "custom",
        message: `"${host}" is an in-cluster name: only services outside the cluster belong in the egress registry`,
      });
    } else if (/\.(internal|localhost|home\.arpa)$/.test(host)) {
      // Reserved for private networks (ICANN's .internal, RFC 6761, RFC 8375): metadata.google.internal is one.
      ctx.addIssue({
        code: "custom",
        message: `"${host}" is in a private-use domain (.internal, .localhost, .home.arpa), never on the internet: only services outside the cluster belong in the egress registry`,
      });
    }
  });

/** Where the cluster-wide egress lock sits among AdminNetworkPolicies: early, leaving room for emergencies. */
const DEFAULT_LOCK_PRIORITY = 10;

/** A CIDR block, IPv4 (four decimal parts) or IPv6, in its canonical form; refused when it does not parse. */
export const cidr = z.string().transform((value, ctx) => {
  const normalised = normaliseCidr(value);
  if (normalised === undefined) {
    ctx.addIssue({
      code: "custom",
      message: `"${value}" is not a CIDR block such as 203.0.113.0/24 or 2001:db8::/32 (IPv4 as four decimal parts)`,
    });
    return z.NEVER;
  }
  return normalised;
});

const QUANTITY_MESSAGE = "must be a Kubernetes quantity such as 500m, 1.5Gi, 512Mi or 1e3";

const quantity = z
  .union([z.string(), z.number()], { error: QUANTITY_MESSAGE })
  .refine((value) => typeof value === "number" || KUBERNETES_QUANTITY.test(value), QUANTITY_MESSAGE)
  .refine(
    (value) => !(quantityValue(value) < 0) && Number.isFinite(quantityValue(value)),
    "must not be negative: a resource request or limit is an amount",
  );

const resourceList = z.strictObject({
  cpu: quantity.optional(),
  memory: quantity.optional(),
});

export { routingModes, originatesTls, type RoutingMode } from "./routing-modes";

export const spreadPolicies = ["DoNotSchedule", "ScheduleAnyway", "off"] as const;

const toleration = z
  .strictObject({
    key: labelKey.optional(),
    operator: z.enum(["Exists", "Equal"]).optional(),
    value: labelValue.optional(),
    effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).optional(),
    tolerationSeconds: z.number().int().optional(),
  })
  .superRefine((t, ctx) => {
    // Kubernetes refuses both: Exists matches any value, and only Exists may leave the key empty.
    if (t.operator === "Exists" && t.value !== undefined && t.value !== "") {
      ctx.addIssue({
        code: "custom",
        path: ["value"],
        message: "operator Exists matches any value: remove value, or use operator Equal",
      });
    }
    if (!t.key && t.operator !== "Exists") {
      ctx.addIssue({
        code: "custom",
        path: ["key"],
        message: "an empty key tolerates every taint only with operator Exists: set key, or operator: Exists",
      });
    }
  });

/** A budget that protects something: at least one pod kept (minAvailable 1+, 1%+), never all evictable (maxUnavailable below 100%). */
const disruptionBudget = z.union([
  z.strictObject({
    minAvailable: z.union([
      z.number().int().min(1),
      z.string().regex(/^([1-9][0-9]?|100)%$/, "must be a percentage from 1% to 100%"),
    ]),
  }),
  z.strictObject({
    maxUnavailable: z.union([
      z.number().int().min(1),
      z
        .string()
        .regex(/^[1-9][0-9]?%$/, "must be a percentage from 1% to 99%: 100% lets every replica go at once"),
    ]),
  }),
  z.literal(false),
]);

const ISTIO_CHART = { version: "1.30.3", repository: "https://istio-release.storage.googleapis.com/charts" };

export const gatewaySchema = z.strictObject({
  /** Namespace of the gateway and of every gateway-side routing object. */
  namespace: dns1123Label.default("istio-egress"),
  /** Helm release name; the Service is `<releaseName>.<namespace>.svc.cluster.local`. */
  releaseName: helmReleaseName.default(DEFAULT_GATEWAY_SERVICE),
  chart: chartSource(ISTIO_CHART),
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
  nodeSelector: labelMap.optional(),
  tolerations: z.array(toleration).optional(),
  /** Namespaces (e.g. monitoring) allowed to scrape the gateway's metrics port. */
  scrapeFromNamespaces: z.array(dns1123Label).default([]),
});

export const controlPlaneSchema = z.strictObject({
  /** Install Istio base + istiod (clusters the stack owns), or use the Istio already there. */
  install: z.boolean().default(false),
  namespace: dns1123Label.default(DEFAULT_ROOT_NAMESPACE),
  chart: chartSource(ISTIO_CHART),
  /** The mesh trust domain, used in SPIFFE identities. */
  trustDomain: trustDomain.default("cluster.local"),
  /** Revision of a revisioned control plane: namespaces get `istio.io/rev`, the gateway chart `revision`. */
  revision: dns1123Label.optional(),
  /**
   * The mesh runs Istio CNI (no privileged istio-init in tenant pods): tenant namespaces then carry Pod Security
   * `enforce` labels. With install, the stack installs it; without, it is a prerequisite the report shows.
   */
  cni: z.boolean().default(false),
  /** The proxy image the injector uses (istio-init, istio-proxy); default docker.io/istio/proxyv2:<chart version>. */
  proxyImage: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._/:@-]*$/, "must be an image reference such as docker.io/istio/proxyv2:1.30.3")
    .optional(),
});

export const clusterSchema = z
  .strictObject({
    /** The cluster's DNS domain (kubelet `--cluster-domain`): in-cluster Services are `<svc>.<ns>.svc.<domain>`. */
    domain: z
      .string()
      .regex(
        /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
        "must be a DNS domain such as cluster.local",
      )
      .default(DEFAULT_CLUSTER_DOMAIN),
    dns: z
      .strictObject({
        namespace: dns1123Label.default("kube-system"),
        podLabels: labelMap
          .refine((labels) => Object.keys(labels).length > 0, {
            message: "must name at least one label: an empty selector matches every pod in the namespace",
          })
          .default({ "k8s-app": "kube-dns" }),
        /** Where a host-network DNS cache answers (NodeLocal DNSCache: 169.254.20.10); allowed by ipBlock, port 53. */
        nodeLocalAddresses: z.array(nodeLocalDnsAddress).default([]),
      })
      .default({ namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" }, nodeLocalAddresses: [] }),
    /** Namespaces with open egress; tenants' in-cluster rule excludes them, as it excludes the platform's. */
    openEgressNamespaces: z.array(dns1123Label).default([]),
    /** Pod, service and node ranges outside the private ones; the gateway's NetworkPolicy excepts them too. */
    internalCidrs: z
      .array(
        // Normalised by `cidr`, so a whole family is exactly 0.0.0.0/0 or ::/0.
        cidr.refine((block) => !block.endsWith("/0"), {
          message: "is the whole address family: list the cluster's pod, service and node ranges",
        }),
      )
      .default([]),
    /**
     * An AdminNetworkPolicy denying egress outside the cluster from every namespace but the gateway's (and the
     * listed exemptions): `true`, or `{exempt, priority}`. Needs a CNI that implements policy.networking.k8s.io/v1alpha1.
     */
    lockAllNamespaces: z
      .union(
        [
          z.boolean(),
          z.strictObject({
            /** Namespaces that keep direct internet egress (e.g. cert-manager with an external ACME or Vault server). */
            exempt: z.array(dns1123Label).default([]),
            /** The AdminNetworkPolicy's priority: lower numbers are evaluated first; one step ahead stays free. */
            priority: z
              .number()
              .int()
              .min(1, {
                message:
                  "must be at least 1: the cluster DNS upstream pass and break-glass direct entries sit one priority ahead of the lock",
              })
              .max(1000)
              .default(DEFAULT_LOCK_PRIORITY),
          }),
        ],
        { error: "must be true, false, or {exempt: [namespace, ...], priority: 1-1000}" },
      )
      .default(false)
      .transform((lock) =>
        typeof lock === "boolean"
          ? { enabled: lock, exempt: [] as string[], priority: DEFAULT_LOCK_PRIORITY }
          : { enabled: true, exempt: lock.exempt, priority: lock.priority },
      ),
  })
  .superRefine((cluster, ctx) => {
    cluster.dns.nodeLocalAddresses.forEach((address, i) => {
      if (isClusterDnsAddress(address, cluster.internalCidrs)) return;
      ctx.addIssue({
        code: "custom",
        path: ["dns", "nodeLocalAddresses", i],
        message: `${address} is a public address: every tenant could send DNS straight out of the cluster to it; give the node-local cache's link-local address (e.g. 169.254.20.10) or the kube-dns Service IP, or add the cluster's public ranges to cluster.internalCidrs`,
      });
    });
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

/** cert-manager's limits: at least 1h of life, renewal at least 5m before expiry and before it starts. */
function checkLifetime(
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

const commonName = z.string().min(1).max(64, "must be at most 64 characters (the X.509 limit)");

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

/** A field a routing mode refuses, with the reason and the fix. */
const refused = (message: string) => z.undefined({ error: message }).optional();

/** How the gateway verifies the external server: for every mode that originates TLS. */
const serverVerification = {
  /** SNI sent to the external server; defaults to the host. Only for single-host services. */
  sni: externalHost.optional(),
  /** Names the server certificate must carry; default: the host. */
  subjectAltNames: z.array(z.string().min(1)).min(1).optional(),
  /** The external server's CA bundle; default: the gateway's system roots. */
  caBundle: caBundle.optional(),
};

const clientCertificateModes = () => modesWhere((traits) => traits.clientCertificate).join(", ");

/** TLS settings of a mode that originates TLS without a client certificate: server verification only. */
function serverOnlyTlsSchema(mode: RoutingMode) {
  return z
    .strictObject({
      ...serverVerification,
      credentialName: refused(
        `a client credential is only presented in ${clientCertificateModes()} mode: change mode or remove credentialName`,
      ),
      clientCertificate: refused(
        `a client certificate is only presented in ${clientCertificateModes()} mode, not ${mode}: change mode or remove clientCertificate`,
      ),
    })
    .optional();
}

/** TLS settings of a mode where the gateway presents a client certificate: all three parts are required. */
function clientCertificateTlsSchema(mode: RoutingMode) {
  return z
    .strictObject({
      ...serverVerification,
      /** Secret in the gateway namespace holding the client certificate. */
      credentialName: dns1123Label.optional(),
      /** The client certificate cert-manager issues into `credentialName`. */
      clientCertificate: clientCertificateSchema.optional(),
    })
    .superRefine(
      (tls, ctx) => {
        const missing = (field: string, message: string) =>
          ctx.addIssue({ code: "custom", path: [field], message });
        if (!tls.credentialName) {
          missing(
            "credentialName",
            `${mode} needs the name of the Secret holding the client certificate in the gateway namespace`,
          );
        }
        if (!tls.clientCertificate) {
          missing(
            "clientCertificate",
            `${mode} needs a client certificate: add tls.clientCertificate with the issuer that signs it (an entry of mesh-egress:issuers)`,
          );
        }
        if (!tls.caBundle) {
          missing(
            "caBundle",
            `${mode} needs the external server's CA bundle (pem, or a secretRef): with a client credential istiod verifies the server only against "${serverRootsSecretName(tls.credentialName ?? "<credentialName>")}", and would otherwise fall back to the client certificate's ca.crt, which is the client issuer's CA, not the server's`,
          );
        }
      },
      // Report every missing part at once, even when another field is malformed.
      { when: (payload) => typeof payload.value === "object" && payload.value !== null },
    )
    .prefault({});
}

/** The `tls` settings a routing mode accepts. */
function tlsSchemaFor(mode: RoutingMode) {
  const { origination, clientCertificate } = routingModeTraits[mode];
  switch (origination) {
    case "none":
      return refused(
        `TLS settings apply only where the gateway originates TLS (${modesWhere((t) => t.origination !== "none").join(", ")}); in ${mode} mode the application verifies the server itself: remove tls or change mode`,
      );
    case "SIMPLE":
    case "MUTUAL":
      return clientCertificate ? clientCertificateTlsSchema(mode) : serverOnlyTlsSchema(mode);
    default:
      return origination satisfies never;
  }
}

/** The Secret istiod would read a service's server roots from. */
function expectedRootsSecret(service: ServiceShape): string {
  return traitsOf(service).clientCertificate && service.tls?.credentialName
    ? serverRootsSecretName(service.tls.credentialName)
    : `${service.name}-server${SERVER_ROOTS_SUFFIX}`;
}

interface ServiceShape {
  readonly name: string;
  readonly hosts: readonly string[];
  readonly port: number;
  readonly mode: RoutingMode;
  readonly tls?: {
    readonly sni?: string;
    readonly caBundle?: z.output<typeof caBundle>;
    readonly credentialName?: string;
  };
}

/** Checks within one service that span its fields: SNI vs hosts, port vs mode, server roots. */
function checkService(service: ServiceShape, ctx: z.RefinementCtx): void {
  const add = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
  if (service.tls?.sni && service.hosts.length > 1) {
    add(["tls", "sni"], "an explicit SNI only fits a single-host service: split the service per host");
  }
  if (traitsOf(service).origination !== "none" && service.port === 80) {
    add(
      ["port"],
      "port 80 is where the gateway receives plain HTTP from the mesh; the external TLS port is usually 443",
    );
  }
  checkServerRoots(service, add);
}

/** How each kind of bundle reaches the Secret istiod reads, `<credentialName>-cacert`. */
function checkServerRoots(
  service: ServiceShape,
  add: (path: (string | number)[], message: string) => void,
): void {
  const bundle = service.tls?.caBundle;
  if (!bundle) return;
  const at = ["tls", "caBundle"];
  if ("pem" in bundle) {
    const parsed = parsePemCertificates(bundle.pem);
    if ("problem" in parsed)
      add([...at, "pem"], `${parsed.problem}: give the server's CA certificates as PEM`);
  } else if ("configMapRef" in bundle) {
    add(
      [...at, "configMapRef"],
      `istiod reads origination roots only from Secrets in the gateway namespace: give the bundle as pem, or as a secretRef to a Secret named "${expectedRootsSecret(service)}"`,
    );
  } else {
    const { name, key } = bundle.secretRef;
    const credential = service.tls?.credentialName;
    if (traitsOf(service).clientCertificate) {
      if (credential && name !== serverRootsSecretName(credential)) {
        add(
          [...at, "secretRef", "name"],
          `must be "${serverRootsSecretName(credential)}": istiod reads the server roots of credential "${credential}" only from that Secret, in the gateway namespace; create or sync the Secret under that name, or give the PEM inline`,
        );
      }
    } else if (!name.endsWith(SERVER_ROOTS_SUFFIX)) {
      add(
        [...at, "secretRef", "name"],
        `must end in "${SERVER_ROOTS_SUFFIX}" (e.g. "${service.name}-server${SERVER_ROOTS_SUFFIX}"): istiod finds roots-only Secrets by that suffix; the Secret must be in the gateway namespace`,
      );
    }
    if (!SERVER_ROOTS_KEYS.includes(key)) {
      add(
        [...at, "secretRef", "key"],
        `istiod reads server roots from key ${SERVER_ROOTS_KEYS.join(" or ")}, not "${key}"`,
      );
    }
  }
}

/** An external service in one routing mode: the fields every mode shares, and the tls that mode accepts. */
function externalServiceOfMode(mode: RoutingMode) {
  return z
    .strictObject({
      name: dns1123Label,
      description: z.string().optional(),
      hosts: z.array(externalHost).min(1, "list at least one host"),
      /** The external server's TLS port. */
      port: z
        .number()
        .int()
        .min(1)
        .max(65535)
        .refine((port) => ISTIO_PROXY_PORTS[port] === undefined, {
          error: (issue) =>
            `port ${String(issue.input)} is the gateway proxy's own (${ISTIO_PROXY_PORTS[issue.input as number]}): use the external server's real port`,
        })
        .default(443),
      mode: z.literal(mode),
      tls: tlsSchemaFor(mode),
      /** Public addresses the gateway connects to for every host (ServiceEntry `resolution: STATIC`). */
      pinnedAddresses: pinnedAddresses.optional(),
      allowedCidrs: refused(
        "allowedCidrs was removed: its ipBlock sat beside the internet rule on the same port, and NetworkPolicy rules add up, so it narrowed nothing. Use pinnedAddresses: the gateway then connects only to those addresses (resolution STATIC), and the gateway's NetworkPolicy narrows the port to them when every service on it is pinned",
      ),
    })
    .superRefine(checkService);
}

const [firstMode, ...otherModes] = routingModes.map(externalServiceOfMode);

/** An external service; which `tls` settings it accepts depends on its mode. */
export const externalServiceSchema = z.discriminatedUnion("mode", [firstMode, ...otherModes], {
  error: (issue) =>
    issue.code === "invalid_union" ? `must be one of ${routingModes.join(", ")}` : undefined,
});

export const tenantSchema = z.strictObject({
  namespace: dns1123Label,
  description: z.string().optional(),
  /** Names of the external services this namespace may reach. */
  allow: z.array(dns1123Label).default([]),
  /** The Pod Security Standard its namespace enforces when the mesh runs Istio CNI: baseline, or raised to restricted. */
  podSecurity: z
    .enum(POD_SECURITY_LEVELS, {
      error: `must be ${POD_SECURITY_LEVELS.join(" or ")} (privileged would let pods leave the mesh): remove it for baseline`,
    })
    .default(DEFAULT_TENANT_POD_SECURITY),
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
    chart: chartSource(CERT_MANAGER_CHART),
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
  /** Who may create break-glass `direct` NetworkPolicies past the guardrails: usernames or groups. */
  breakGlassRequesters: z.array(z.string().trim().min(1, "must not be empty")).optional(),
  /**
   * Who deploys the platform (CI's or Pulumi's service account `system:serviceaccount:<ns>:<name>`, a user, or a
   * group): the only identities, besides system:masters, that may change or delete what it renders into tenant
   * namespaces and the tenant labels of their Namespaces.
   */
  platformIdentities: z
    .array(z.string().trim().min(1, "must not be empty: name a user, service account or group"))
    .refine((ids) => new Set(ids).size === ids.length, "must not repeat an identity")
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
  rateLimits: rateLimitsSchema.prefault({}),
  guardrails: guardrailsSchema.default({ enabled: true }),
  breakGlass: z.array(breakGlassEntrySchema).default([]),
  breakGlassMaxHours: breakGlassMaxHoursSchema.optional(),
});

export type StackConfigInput = z.input<typeof stackConfigSchema>;
export type ParsedStackConfig = z.output<typeof stackConfigSchema>;
export type ParsedGateway = z.output<typeof gatewaySchema>;
export type ParsedCertManager = z.output<typeof certManagerSchema>;
export type ParsedGuardrails = z.output<typeof guardrailsSchema>;
