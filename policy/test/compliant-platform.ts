import { INTERNAL_REQUEST_HEADERS, KubernetesObject, REQUIRED_GUARDRAILS } from "../contract";

/**
 * A compliant platform, shaped like `mesh-egress render` output (istio-egress.md §1–3): the gateway
 * namespace `istio-egress`, the gateway chart as a Flux HelmRelease, one external service per mode and
 * three tenants. Tests take a fresh copy, weaken one field, and assert exactly which rule fires.
 */

export const GATEWAY_NS = "istio-egress";
/** istiod's serviceSettings marking the gateway Service cluster-local, for tests that add an istiod release. */
export const GATEWAY_CLUSTER_LOCAL = [
  { settings: { clusterLocal: true }, hosts: [`istio-egressgateway.${GATEWAY_NS}.svc.cluster.local`] },
];
const GATEWAY_SERVICE = `istio-egressgateway.${GATEWAY_NS}.svc.cluster.local`;
const OWNED = { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "mesh-egress" };
const GATEWAY_SELECTOR = { istio: "egressgateway" };

type Mode = "passthrough" | "passthrough-mtls" | "originate" | "originate-mutual";

interface ExternalService {
  name: string;
  host: string;
  mode: Mode;
}

export const SERVICES: readonly ExternalService[] = [
  { name: "stripe", host: "api.stripe.com", mode: "passthrough-mtls" },
  { name: "github", host: "api.github.com", mode: "passthrough" },
  { name: "openai", host: "api.openai.com", mode: "originate" },
  { name: "partner", host: "api.partner.example.com", mode: "originate-mutual" },
];

export const TENANTS: Readonly<Record<string, readonly string[]>> = {
  payments: ["stripe", "partner"],
  ml: ["openai", "github"],
  support: ["github"],
};

const isTls = (mode: Mode): boolean => mode === "passthrough" || mode === "passthrough-mtls";

function tenantsOf(service: string): string[] {
  return Object.keys(TENANTS).filter((t) => TENANTS[t]?.includes(service));
}

function meta(name: string, namespace?: string, labels: Record<string, string> = {}) {
  return { name, ...(namespace ? { namespace } : {}), labels: { ...OWNED, ...labels } };
}

function gatewayObjects(): KubernetesObject[] {
  return [
    {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: meta(GATEWAY_NS, undefined, {
        "istio-injection": "enabled",
        "mesh-egress.io/role": "egress-gateway",
      }),
    },
    {
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "HelmRepository",
      metadata: meta("istio", GATEWAY_NS),
      spec: { url: "https://istio-release.storage.googleapis.com/charts", interval: "1h" },
    },
    {
      apiVersion: "helm.toolkit.fluxcd.io/v2",
      kind: "HelmRelease",
      metadata: meta("istio-egressgateway", GATEWAY_NS),
      spec: {
        interval: "10m",
        releaseName: "istio-egressgateway",
        chart: {
          spec: { chart: "gateway", version: "1.30.3", sourceRef: { kind: "HelmRepository", name: "istio" } },
        },
        values: {
          service: { type: "ClusterIP" },
          labels: { istio: "egressgateway" },
          autoscaling: { enabled: true, minReplicas: 3, maxReplicas: 10, targetCPUUtilizationPercentage: 70 },
          podDisruptionBudget: { minAvailable: 2 },
          topologySpreadConstraints: [
            {
              topologyKey: "topology.kubernetes.io/zone",
              whenUnsatisfiable: "DoNotSchedule",
              maxSkew: 1,
              labelSelector: { matchLabels: GATEWAY_SELECTOR },
            },
            {
              topologyKey: "kubernetes.io/hostname",
              whenUnsatisfiable: "ScheduleAnyway",
              maxSkew: 1,
              labelSelector: { matchLabels: GATEWAY_SELECTOR },
            },
          ],
          resources: { requests: { cpu: "200m", memory: "256Mi" }, limits: { cpu: "2", memory: "1Gi" } },
        },
      },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: meta("egress-gateway", GATEWAY_NS),
      spec: {
        podSelector: { matchLabels: GATEWAY_SELECTOR },
        policyTypes: ["Ingress", "Egress"],
        ingress: Object.keys(TENANTS).map((t) => ({
          from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": t } } }],
        })),
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
              },
            ],
            ports: [
              { protocol: "UDP", port: 53 },
              { protocol: "TCP", port: 53 },
            ],
          },
          {
            to: [
              {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "istio-system" } },
                podSelector: { matchLabels: { app: "istiod" } },
              },
            ],
            ports: [{ protocol: "TCP", port: 15012 }],
          },
          {
            to: [
              {
                ipBlock: {
                  cidr: "0.0.0.0/0",
                  except: [
                    "10.0.0.0/8",
                    "172.16.0.0/12",
                    "192.168.0.0/16",
                    "100.64.0.0/10",
                    "127.0.0.0/8",
                    "169.254.0.0/16",
                  ],
                },
              },
              {
                ipBlock: {
                  cidr: "::/0",
                  except: ["fc00::/7", "fe80::/10", "::1/128", "64:ff9b::/96", "64:ff9b:1::/48"],
                },
              },
            ],
            ports: [
              { protocol: "TCP", port: 443 },
              { protocol: "TCP", port: 80 },
            ],
          },
        ],
      },
    },
    {
      apiVersion: "telemetry.istio.io/v1",
      kind: "Telemetry",
      metadata: meta("egress-gateway-access-logs", GATEWAY_NS),
      spec: {
        selector: { matchLabels: GATEWAY_SELECTOR },
        accessLogging: [{ providers: [{ name: "mesh-egress-gateway-json" }] }],
      },
    },
  ];
}

const HTTP_GATEWAY = "egress-http";

/** The one TLS-terminating server every HTTP host shares. */
function httpGateway(): KubernetesObject {
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "Gateway",
    metadata: meta(HTTP_GATEWAY, GATEWAY_NS),
    spec: {
      selector: GATEWAY_SELECTOR,
      servers: [
        {
          port: { number: 80, name: "https-80", protocol: "HTTPS" },
          hosts: SERVICES.filter((s) => !isTls(s.mode)).map((s) => `${GATEWAY_NS}/${s.host}`),
          tls: { mode: "ISTIO_MUTUAL" },
        },
      ],
    },
  };
}

function serviceObjects(service: ExternalService): KubernetesObject[] {
  const { name, host, mode } = service;
  const labels = { "mesh-egress.io/external-service": name };
  const tls = isTls(mode);
  const gatewayName = tls ? `egress-${name}` : HTTP_GATEWAY;
  const gatewayPort = tls ? 443 : 80;
  const serviceEntry: KubernetesObject = {
    apiVersion: "networking.istio.io/v1",
    kind: "ServiceEntry",
    metadata: meta(`egress-${name}`, GATEWAY_NS, labels),
    spec: {
      hosts: [host],
      location: "MESH_EXTERNAL",
      resolution: "DNS",
      ports: tls
        ? [{ number: 443, name: "tls", protocol: "TLS" }]
        : [
            { number: 80, name: "http", protocol: "HTTP" },
            { number: 443, name: "https", protocol: "HTTPS" },
          ],
      exportTo: [".", ...tenantsOf(name)],
    },
  };
  // HTTP hosts share one TLS-terminating server (httpGateway), so the rate limit's port has one filter chain.
  const gateway: KubernetesObject | undefined = tls
    ? {
        apiVersion: "networking.istio.io/v1",
        kind: "Gateway",
        metadata: meta(gatewayName, GATEWAY_NS, labels),
        spec: {
          selector: GATEWAY_SELECTOR,
          servers: [
            {
              port: { number: 443, name: `tls-${name}`, protocol: "TLS" },
              hosts: [`${GATEWAY_NS}/${host}`],
              tls: { mode: mode === "passthrough" ? "PASSTHROUGH" : "ISTIO_MUTUAL" },
            },
          ],
        },
      }
    : undefined;
  const subsetTls = mode === "passthrough" ? {} : { tls: { mode: "ISTIO_MUTUAL", sni: host } };
  const gatewayRule: KubernetesObject = {
    apiVersion: "networking.istio.io/v1",
    kind: "DestinationRule",
    metadata: meta(`egress-gateway-${name}`, GATEWAY_NS, labels),
    spec: {
      host: GATEWAY_SERVICE,
      exportTo: [".", ...tenantsOf(name)],
      subsets: [
        {
          name,
          trafficPolicy: { portLevelSettings: [{ port: { number: gatewayPort }, ...subsetTls }] },
        },
      ],
    },
  };
  const toGateway = { host: GATEWAY_SERVICE, subset: name, port: { number: gatewayPort } };
  const gatewayRef = `${GATEWAY_NS}/${gatewayName}`;
  let routes: Record<string, unknown>;
  if (mode === "passthrough") {
    routes = {
      tls: [
        { match: [{ gateways: ["mesh"], port: 443, sniHosts: [host] }], route: [{ destination: toGateway }] },
        {
          match: [{ gateways: [gatewayRef], port: 443, sniHosts: [host] }],
          route: [{ destination: { host, port: { number: 443 } } }],
        },
      ],
    };
  } else if (mode === "passthrough-mtls") {
    routes = {
      tls: [
        { match: [{ gateways: ["mesh"], port: 443, sniHosts: [host] }], route: [{ destination: toGateway }] },
      ],
      tcp: [
        {
          match: [{ gateways: [gatewayRef], port: 443 }],
          route: [{ destination: { host, port: { number: 443 } } }],
        },
      ],
    };
  } else {
    routes = {
      http: [
        {
          name: `${name}-mesh`,
          match: [{ gateways: ["mesh"], port: 80 }],
          route: [{ destination: toGateway }],
        },
        {
          name: `${name}-egress`,
          match: [{ gateways: [gatewayRef], port: 80 }],
          route: [{ destination: { host, port: { number: 443 } } }],
          headers: { request: { remove: [...INTERNAL_REQUEST_HEADERS] } },
        },
      ],
    };
  }
  const virtualService: KubernetesObject = {
    apiVersion: "networking.istio.io/v1",
    kind: "VirtualService",
    metadata: meta(`egress-${name}`, GATEWAY_NS, labels),
    spec: { hosts: [host], gateways: ["mesh", gatewayRef], exportTo: [".", ...tenantsOf(name)], ...routes },
  };
  const objects = [serviceEntry, ...(gateway ? [gateway] : []), gatewayRule, virtualService];
  if (mode === "originate" || mode === "originate-mutual") {
    objects.push({
      apiVersion: "networking.istio.io/v1",
      kind: "DestinationRule",
      metadata: meta(`egress-origination-${name}`, GATEWAY_NS, labels),
      spec: {
        host,
        exportTo: ["."],
        trafficPolicy: {
          portLevelSettings: [
            {
              port: { number: 443 },
              tls:
                mode === "originate"
                  ? { mode: "SIMPLE", sni: host, subjectAltNames: [host] }
                  : {
                      mode: "MUTUAL",
                      credentialName: `egress-${name}-client`,
                      sni: host,
                      subjectAltNames: [host],
                    },
            },
          ],
        },
      },
    });
  }
  if (mode === "originate-mutual") {
    // The client certificate the rule presents, and the partner server's roots beside it.
    objects.push(
      {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: meta(`egress-${name}-client`, GATEWAY_NS, labels),
        spec: {
          secretName: `egress-${name}-client`,
          commonName: "acme-egress",
          duration: "2160h",
          renewBefore: "360h",
          privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
          usages: ["client auth", "digital signature"],
          issuerRef: { name: "partner-clients", kind: "Issuer", group: "cert-manager.io" },
        },
      },
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: meta(`egress-${name}-client-cacert`, GATEWAY_NS, labels),
        type: "Opaque",
        stringData: { cacert: "-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----\n" },
      },
    );
  }
  return objects;
}

function tenantObjects(tenant: string): KubernetesObject[] {
  const allowed = SERVICES.filter((s) => TENANTS[tenant]?.includes(s.name));
  const labels = { "mesh-egress.io/tenant": tenant };
  return [
    {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: meta(tenant, undefined, { "istio-injection": "enabled", ...labels }),
    },
    {
      apiVersion: "networking.istio.io/v1",
      kind: "Sidecar",
      metadata: meta("default", tenant, labels),
      spec: {
        outboundTrafficPolicy: { mode: "REGISTRY_ONLY" },
        egress: [{ hosts: ["./*", "istio-system/*", ...allowed.map((s) => `${GATEWAY_NS}/${s.host}`)] }],
      },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: meta("egress-via-gateway", tenant, labels),
      spec: {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
              },
            ],
            ports: [
              { protocol: "UDP", port: 53 },
              { protocol: "TCP", port: 53 },
            ],
          },
          {
            to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "istio-system" } } }],
            ports: [{ protocol: "TCP", port: 15012 }],
          },
          {
            to: [
              {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": GATEWAY_NS } },
                podSelector: { matchLabels: GATEWAY_SELECTOR },
              },
            ],
            ports: [
              { protocol: "TCP", port: 80 },
              { protocol: "TCP", port: 443 },
            ],
          },
          {
            to: [
              {
                namespaceSelector: {
                  matchExpressions: [
                    {
                      key: "kubernetes.io/metadata.name",
                      operator: "NotIn",
                      values: ["istio-system", GATEWAY_NS, "kube-system"],
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
    },
    {
      apiVersion: "security.istio.io/v1",
      kind: "AuthorizationPolicy",
      metadata: meta(`tenant-${tenant}`, GATEWAY_NS, labels),
      spec: {
        selector: { matchLabels: GATEWAY_SELECTOR },
        action: "ALLOW",
        // Plain passthrough carries no identity: nothing may admit it per tenant, so it has no rule here.
        rules: allowed
          .filter((s) => s.mode !== "passthrough")
          .map((s) => {
            if (s.mode === "passthrough-mtls") {
              return {
                from: [{ source: { namespaces: [tenant] } }],
                to: [{ operation: { ports: ["443"] } }],
                when: [{ key: "connection.sni", values: [s.host] }],
              };
            }
            return {
              from: [{ source: { namespaces: [tenant] } }],
              to: [{ operation: { hosts: [s.host, `${s.host}:*`] } }],
            };
          }),
      },
    },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: meta(`${tenant}-api`, tenant, labels),
      spec: {
        selector: { matchLabels: { app: `${tenant}-api` } },
        template: {
          metadata: { labels: { app: `${tenant}-api` } },
          spec: { containers: [{ name: "api", image: "example/api:1" }] },
        },
      },
    },
  ];
}

/** Local rate limits at the gateway: a bucket per tenant on HTTP, a connection limit per TLS host. */
function rateLimitObjects(): KubernetesObject[] {
  const bucket = { max_tokens: 20, tokens_per_fill: 10, fill_interval: "1s" };
  const always = () => ({ default_value: { numerator: 100, denominator: "HUNDRED" } });
  const httpTenants = Object.keys(TENANTS).filter((t) =>
    SERVICES.some((s) => !isTls(s.mode) && TENANTS[t]?.includes(s.name)),
  );
  const tenantExpr = httpTenants
    .map(
      (t) => `connection.uri_san_peer_certificate.startsWith('spiffe://cluster.local/ns/${t}/') ? '${t}' : `,
    )
    .join("");
  const httpPatch = {
    applyTo: "HTTP_FILTER",
    match: {
      context: "GATEWAY",
      listener: {
        portNumber: 80,
        filterChain: {
          filter: {
            name: "envoy.filters.network.http_connection_manager",
            subFilter: { name: "envoy.filters.http.router" },
          },
        },
      },
    },
    patch: {
      operation: "INSERT_BEFORE",
      value: {
        name: "envoy.filters.http.local_ratelimit",
        typed_config: {
          "@type": "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit",
          stat_prefix: "egress",
          token_bucket: { ...bucket },
          filter_enabled: always(),
          filter_enforced: always(),
          descriptors: httpTenants.map((t) => ({
            entries: [{ key: "tenant", value: t }],
            token_bucket: { ...bucket },
          })),
          rate_limits: [
            {
              actions: [
                {
                  extension: {
                    name: "envoy.rate_limit_descriptors.expr",
                    typed_config: {
                      "@type":
                        "type.googleapis.com/envoy.extensions.rate_limit_descriptors.expr.v3.Descriptor",
                      descriptor_key: "tenant",
                      text: `${tenantExpr}'unlisted'`,
                    },
                  },
                },
              ],
            },
          ],
        },
      },
    },
  };
  const tlsPatches = SERVICES.filter((s) => isTls(s.mode)).map((s) => ({
    applyTo: "NETWORK_FILTER",
    match: {
      context: "GATEWAY",
      listener: {
        portNumber: 443,
        filterChain: { sni: s.host, filter: { name: "envoy.filters.network.tcp_proxy" } },
      },
    },
    patch: {
      operation: "INSERT_BEFORE",
      value: {
        name: "envoy.filters.network.local_ratelimit",
        typed_config: {
          "@type": "type.googleapis.com/envoy.extensions.filters.network.local_ratelimit.v3.LocalRateLimit",
          stat_prefix: s.name,
          token_bucket: { ...bucket },
        },
      },
    },
  }));
  return [
    {
      apiVersion: "networking.istio.io/v1alpha3",
      kind: "EnvoyFilter",
      metadata: meta("egress-rate-limits", GATEWAY_NS),
      spec: {
        workloadSelector: { labels: { istio: "egressgateway" } },
        configPatches: [httpPatch, ...tlsPatches],
      },
    },
  ];
}

/** A fresh, deep copy of the compliant platform: mutate it freely. */
/** The admission guardrails, each bound with Deny (their CEL is proven on a real API server in test/apiserver/). */
function guardrailObjects(): KubernetesObject[] {
  return REQUIRED_GUARDRAILS.flatMap((guardrail) => [
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicy",
      metadata: meta(`mesh-egress-${guardrail}`),
      spec: { failurePolicy: "Fail", validations: [{ expression: "true" }] },
    },
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicyBinding",
      metadata: meta(`mesh-egress-${guardrail}`),
      spec: { policyName: `mesh-egress-${guardrail}`, validationActions: ["Deny"] },
    },
  ]);
}

export function compliantPlatform(): KubernetesObject[] {
  const objects = [
    ...gatewayObjects(),
    ...guardrailObjects(),
    httpGateway(),
    ...SERVICES.flatMap(serviceObjects),
    ...Object.keys(TENANTS).flatMap(tenantObjects),
    ...rateLimitObjects(),
  ];
  return JSON.parse(JSON.stringify(objects)) as KubernetesObject[];
}

/** The object of a kind and name (and namespace, when given); throws so a typo in a test fails loudly. */
export function find(objects: KubernetesObject[], kind: string, name: string, namespace?: string): Mutable {
  const found = objects.find(
    (o) =>
      o.kind === kind &&
      o.metadata.name === name &&
      (namespace === undefined || o.metadata.namespace === namespace),
  );
  if (!found) throw new Error(`fixture has no ${kind} ${namespace ?? "*"}/${name}`);
  return found as unknown as Mutable;
}

/** Objects in tests are plain JSON to be weakened; this type lets a test reach any field. */
export type Mutable = any;
