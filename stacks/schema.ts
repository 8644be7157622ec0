import { z } from "zod";
import * as ipaddr from "ipaddr.js";

/**
 * The schema of a stack's `mesh-egress:*` configuration. Every object is strict: a misspelt key is
 * an error, never silently ignored. Fields that a tier baseline fills are optional here and resolved
 * in `baselines.ts`; cross-references (tenant → service, duplicates) are checked in `validate.ts`.
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

const caBundle = z.union([
  z.strictObject({
    pem: z.string().includes("-----BEGIN CERTIFICATE-----", { message: "must be PEM certificates" }),
  }),
  z.strictObject({ secretRef: z.strictObject({ name: dns1123Label, key: z.string().default("ca.crt") }) }),
  z.strictObject({ configMapRef: z.strictObject({ name: dns1123Label, key: z.string().default("ca.crt") }) }),
]);

export const serviceTlsSchema = z.strictObject({
  /** SNI sent to the external server; defaults to the host. Only for single-host services. */
  sni: externalHost.optional(),
  /** Names the server certificate must carry; default: the host. */
  subjectAltNames: z.array(z.string().min(1)).min(1).optional(),
  /** The external server's CA bundle; default: the gateway's system roots. */
  caBundle: caBundle.optional(),
  /** Secret in the gateway namespace holding the client certificate (originate-mutual). */
  credentialName: dns1123Label.optional(),
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

export const environmentSchema = z.enum(["dev", "prod"], { error: "must be dev or prod" });

/** Every `mesh-egress:<key>` a stack may set. */
export const stackConfigSchema = z.strictObject({
  environment: environmentSchema,
  gateway: gatewaySchema.default(gatewaySchema.parse({})),
  controlPlane: controlPlaneSchema.default(controlPlaneSchema.parse({})),
  cluster: clusterSchema.default(clusterSchema.parse({})),
  services: z.array(externalServiceSchema).default([]),
  tenants: z.array(tenantSchema).default([]),
});

export type StackConfigInput = z.input<typeof stackConfigSchema>;
export type ParsedStackConfig = z.output<typeof stackConfigSchema>;
export type ParsedGateway = z.output<typeof gatewaySchema>;
