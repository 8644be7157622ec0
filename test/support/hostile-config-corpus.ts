import type { MalformedCase, Stack } from "./malformed-config";

/** A small valid dev stack: every hostile case changes one thing in it. */
export function validDevStack(): Stack {
  return {
    environment: "dev",
    gateway: { namespace: "istio-egress" },
    services: [
      { name: "stripe", hosts: ["api.stripe.com"], mode: "passthrough-mtls" },
      { name: "openai", hosts: ["api.openai.com"], mode: "originate" },
    ],
    tenants: [{ namespace: "payments", allow: ["stripe"] }],
  };
}

/** Sets a key the way JSON.parse would: an own property, even `__proto__`. */
const own = (target: Stack, key: string, value: unknown) =>
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });

/** Namespaces two roles claim, and system namespaces as tenants or platform homes. */
export const placementCases: MalformedCase[] = [
  ...["kube-system", "default"].map((ns) => ({
    title: `the gateway in ${ns}`,
    mutate: (s: Stack) => (s.gateway.namespace = ns),
    path: "gateway.namespace",
    says: new RegExp(`"${ns}" is a system namespace`),
  })),
  {
    title: "the gateway in cert-manager's namespace",
    mutate: (s) => (s.gateway.namespace = "cert-manager"),
    path: "certManager.namespace",
    says: /already the gateway's namespace/,
  },
  {
    title: "the gateway in the control plane's namespace",
    mutate: (s) => (s.gateway.namespace = "istio-system"),
    path: "controlPlane.namespace",
    says: /already the gateway's namespace/,
  },
  {
    title: "the gateway in the DNS namespace",
    mutate: (s) => (s.cluster = { dns: { namespace: "istio-egress" } }),
    path: "cluster.dns.namespace",
    says: /already the gateway's namespace/,
  },
  {
    title: "istiod in kube-system",
    mutate: (s) => (s.controlPlane = { install: true, namespace: "kube-system" }),
    path: "controlPlane.namespace",
    says: /system namespace: it cannot be the control plane's namespace/,
  },
  {
    title: "a tenant that is cert-manager's namespace",
    mutate: (s) => (s.tenants[0].namespace = "cert-manager"),
    path: "tenants[0].namespace",
    says: /already cert-manager's namespace \(certManager\.namespace\)/,
  },
  {
    title: "a tenant that is the cluster DNS namespace",
    mutate: (s) => {
      s.cluster = { dns: { namespace: "coredns" } };
      s.tenants[0].namespace = "coredns";
    },
    path: "tenants[0].namespace",
    says: /already the cluster DNS namespace/,
  },
  {
    title: "empty DNS pod labels",
    mutate: (s) => (s.cluster = { dns: { podLabels: {} } }),
    path: "cluster.dns.podLabels",
    says: /empty selector matches every pod/,
  },
];

/** Ways around the checks: prototype keys, misspelt namespaces, addresses in forms a naive parser misses. */
export const walkAroundCases: MalformedCase[] = [
  {
    title: "a mesh-egress:__proto__ key",
    mutate: (s) => own(s, "__proto__", { environment: "dev" }),
    path: "__proto__",
    says: /prototype/,
  },
  {
    title: "a constructor key inside a tenant",
    mutate: (s) => own(s.tenants[0], "constructor", { prototype: {} }),
    path: "tenants[0].constructor",
    says: /prototype/,
  },
  {
    title: "a misspelt namespace prefix (mesh-egres:tenants)",
    mutate: (s) => {
      s["mesh-egres:tenants"] = s.tenants;
      delete s.tenants;
    },
    path: "mesh-egres:tenants",
    says: /did you mean "mesh-egress:tenants"/,
  },
  {
    title: "an underscored namespace prefix (mesh_egress:services)",
    mutate: (s) => {
      s["mesh_egress:services"] = s.services;
    },
    path: "mesh_egress:services",
    says: /did you mean "mesh-egress:services"/,
  },
  {
    title: "a misspelt top-level key",
    mutate: (s) => (s.tenant = s.tenants),
    path: "tenant",
    says: /did you mean "tenants"/,
  },
  ...[
    ["10.1", /not an IP address/],
    ["167772161", /not an IP address/],
    ["0xa.0.0.1", /not an IP address/],
    ["::ffff:10.0.0.1", /10\.0\.0\.1 is in private/],
    ["224.0.0.1", /multicast, reserved or unspecified/],
    ["::a9fe:a9fe", /embeds 169\.254\.169\.254: pin 169\.254\.169\.254 itself/],
    ["::ffff:0:a00:1", /embeds 10\.0\.0\.1: pin 10\.0\.0\.1 itself/],
    ["ff02::1", /multicast, reserved or unspecified/],
  ].map(([address, says]) => ({
    title: `the pinned address ${String(address)}`,
    mutate: (s: Stack) => (s.services[1].pinnedAddresses = [address]),
    path: "services[1].pinnedAddresses[0]",
    says: says as RegExp,
  })),
  {
    title: "an in-cluster host under a cluster.domain other than cluster.local",
    mutate: (s) => {
      s.cluster = { domain: "k8s.acme.example" };
      s.services[0].hosts = ["kubernetes.default.svc.k8s.acme.example"];
    },
    path: "services[0].hosts[0]",
    says: /in the cluster's DNS domain k8s\.acme\.example \(cluster\.domain\), an in-cluster name/,
  },
  {
    title: "a break-glass grant to an in-cluster host under a cluster.domain other than cluster.local",
    mutate: (s) => {
      s.cluster = { domain: "k8s.acme.example" };
      s.breakGlass = [
        {
          id: "in-cluster",
          reason: "r",
          ticket: "T-1",
          approvedBy: "a@example.com",
          // Active whenever the test runs: entries are judged at the clock here.
          expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
          scope: {
            grant: {
              tenant: "payments",
              destination: { host: "kube-dns.kube-system.svc.k8s.acme.example", mode: "passthrough-mtls" },
            },
          },
        },
      ];
    },
    path: "breakGlass[0].scope.grant.destination.host",
    says: /in the cluster's DNS domain k8s\.acme\.example \(cluster\.domain\), an in-cluster name/,
  },
  ...["metadata.google.internal", "api.localhost", "nas.home.arpa"].map((host) => ({
    title: `the private-use host ${host}`,
    mutate: (s: Stack) => (s.services[0].hosts = [host]),
    path: "services[0].hosts[0]",
    says: /private-use domain/,
  })),
  {
    title: "an IP host in a form a dotted-quad parser misses",
    mutate: (s) => (s.services[0].hosts = ["0xa.0.0.1"]),
    path: "services[0].hosts[0]",
    says: /IP host/,
  },
];

/** Values Kubernetes, Helm or Flux would reject or misread. */
export const valueCases: MalformedCase[] = [
  {
    title: "a 64-character DNS label in a host",
    mutate: (s) => (s.services[0].hosts = [`${"a".repeat(64)}.example.com`]),
    path: "services[0].hosts[0]",
    says: /each label at most 63/,
  },
  {
    title: "a numeric top-level label in a host",
    mutate: (s) => (s.services[0].hosts = ["api.example.123"]),
    path: "services[0].hosts[0]",
    says: /numeric label/,
  },
  {
    title: "a Helm release name over 53 characters",
    mutate: (s) => (s.gateway.releaseName = "e".repeat(54)),
    path: "gateway.releaseName",
    says: /53 characters/,
  },
  ...[15021, 15090, 15020, 15000].map((port) => ({
    title: `port ${port}, which the gateway proxy already uses`,
    mutate: (s: Stack) => (s.services[0].port = port),
    path: "services[0].port",
    says: new RegExp(`port ${port} is the gateway proxy's own`),
  })),
  {
    title: "a negative resource quantity",
    mutate: (s) => (s.gateway.resources = { requests: { cpu: "-100m" } }),
    path: "gateway.resources.requests.cpu",
    says: /must not be negative/,
  },
  {
    title: "a malformed resource quantity",
    mutate: (s) => (s.gateway.resources = { limits: { memory: "1 GB" } }),
    path: "gateway.resources.limits.memory",
    says: /Kubernetes quantity/,
  },
  {
    title: "a request above its limit",
    mutate: (s) => (s.gateway.resources = { requests: { memory: "2Gi" }, limits: { memory: "1Gi" } }),
    path: "gateway.resources.requests.memory",
    says: /request 2Gi exceeds limit 1Gi/,
  },
  {
    title: "a file:// chart repository",
    mutate: (s) => (s.gateway.chart = { repository: "file:///tmp/charts", version: "1.30.3" }),
    path: "gateway.chart.repository",
    says: /https:\/\/ or oci:\/\//,
  },
  {
    title: "a version range where a pin is meant",
    mutate: (s) => (s.certManager = { chart: { version: "^1.21.0" } }),
    path: "certManager.chart.version",
    says: /exact chart version/,
  },
  {
    title: "an invalid nodeSelector key",
    mutate: (s) => (s.gateway.nodeSelector = { "bad key!": "x" }),
    path: "gateway.nodeSelector.bad key!",
    says: /not a Kubernetes label key/,
  },
  {
    title: "a toleration Exists with a value",
    mutate: (s) => (s.gateway.tolerations = [{ key: "dedicated", operator: "Exists", value: "egress" }]),
    path: "gateway.tolerations[0].value",
    says: /Exists matches any value/,
  },
  {
    title: "a trust domain that is not a domain",
    mutate: (s) => (s.controlPlane = { trustDomain: "spiffe://Corp Example" }),
    path: "controlPlane.trustDomain",
    says: /trust domain/,
  },
  {
    title: "a disruption budget that lets every replica go",
    mutate: (s) => {
      s.gateway.replicas = { min: 2 };
      s.gateway.podDisruptionBudget = { maxUnavailable: "100%" };
    },
    path: "gateway.podDisruptionBudget.maxUnavailable",
    says: /1% to 99%/,
  },
];

/** Configs that would render but fail the pack at their own tier: refused instead. */
export const tierCases: MalformedCase[] = [
  {
    title: "prod with one gateway replica",
    mutate: (s) => {
      s.environment = "prod";
      s.gateway.replicas = { min: 1 };
      s.gateway.podDisruptionBudget = false;
    },
    path: "gateway.replicas.min",
    says: /prod runs at least 3 gateway replicas/,
  },
  {
    title: "prod without a disruption budget",
    mutate: (s) => {
      s.environment = "prod";
      s.gateway.podDisruptionBudget = false;
    },
    path: "gateway.podDisruptionBudget",
    says: /prod keeps a disruption budget/,
  },
  {
    title: "prod without zone spread",
    mutate: (s) => {
      s.environment = "prod";
      s.gateway.spread = { zone: "off" };
    },
    path: "gateway.spread.zone",
    says: /spreads the gateway across zones/,
  },
];

/** Missing keys: the message says "required". */
export const messageCases: MalformedCase[] = [
  {
    title: "a service without hosts",
    mutate: (s) => delete s.services[0].hosts,
    path: "services[0].hosts",
    says: /^services\[0\]\.hosts: required$/,
  },
  {
    title: "a tenant without a namespace",
    mutate: (s) => delete s.tenants[0].namespace,
    path: "tenants[0].namespace",
    says: /required/,
  },
  {
    title: "nesting deeper than any setting",
    mutate: (s) => {
      let deep: Record<string, unknown> = {};
      const root = deep;
      for (let i = 0; i < 40; i++) deep = (deep.x = {}) as Record<string, unknown>;
      s.tenants[0].description = root;
    },
    path: `tenants[0].description${".x".repeat(31)}`,
    says: /nested more than 32 levels/,
  },
];

/** Every hostile case: each must be refused, and the lint-clean test runs over all of them. */
export const hostileCorpus: readonly MalformedCase[] = [
  ...placementCases,
  ...walkAroundCases,
  ...valueCases,
  ...tierCases,
  ...messageCases,
];

/** Configs at the edge that are accepted: they must render a shape that lints clean at their tier. */
export const acceptedEdgeConfigs: readonly { readonly title: string; readonly mutate: (s: Stack) => void }[] =
  [
    { title: "the unmodified dev stack", mutate: () => undefined },
    {
      title: "a tenant with allow: [] as the only tenant",
      mutate: (s) => (s.tenants = [{ namespace: "payments", allow: [] }]),
    },
    {
      title: "no services and no tenants",
      mutate: (s) => {
        s.services = [];
        s.tenants = [];
      },
    },
    { title: "services but no tenants", mutate: (s) => (s.tenants = []) },
    {
      title: "prod on its baseline, its tenant rate-limited",
      mutate: (s) => {
        s.environment = "prod";
        // Prod requires a limit for every tenant with egress (validate-rate-limits.ts).
        s.rateLimits = {
          tenants: { payments: { tls: { connections: 30, per: "second", burst: 60, maxConcurrent: 300 } } },
        };
      },
    },
    {
      title: "prod granting nothing",
      mutate: (s) => {
        s.environment = "prod";
        s.tenants = [{ namespace: "payments", allow: [] }];
      },
    },
    {
      title: "an IPv4-mapped public address, pinned",
      mutate: (s) => (s.services[1].pinnedAddresses = ["::ffff:203.0.113.7"]),
    },
  ];
