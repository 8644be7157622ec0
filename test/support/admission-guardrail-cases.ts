import type { KubernetesObject } from "../../components/kubernetes-object";

/**
 * The attacker's table: per guardrail, hostile shapes (the one we wrote down once and the next ones an attacker
 * tries) beside the compliant neighbours they must not catch. Objects only; the suite decides who sends them.
 */

export const TENANT = "payments";
export const GATEWAY_NS = "istio-egress";
export const ROOT_NS = "istio-system";
/** What the prod stack's control plane chart (1.30.3) injects: the default proxy image. */
export const PROXY_IMAGE = "docker.io/istio/proxyv2:1.30.3";

export interface Case {
  readonly guardrail: string;
  readonly weakening: string;
  readonly denied: KubernetesObject;
}

export interface Neighbour {
  readonly neighbour: string;
  readonly admitted: KubernetesObject;
}

type Meta = { labels?: Record<string, string>; annotations?: Record<string, string> };

export const object = (
  apiVersion: string,
  kind: string,
  namespace: string | undefined,
  name: string,
  rest: object,
): KubernetesObject =>
  ({
    apiVersion,
    kind,
    metadata: { name, ...(namespace ? { namespace } : {}) },
    ...rest,
  }) as KubernetesObject;

/** The served versions of each Istio kind in 1.30.3's CRDs (a test checks them against the API server). */
export const ISTIO_VERSIONS: Readonly<Record<string, readonly string[]>> = {
  "networking.istio.io/Gateway": ["v1", "v1beta1", "v1alpha3"],
  "networking.istio.io/ServiceEntry": ["v1", "v1beta1", "v1alpha3"],
  "networking.istio.io/Sidecar": ["v1", "v1beta1", "v1alpha3"],
  "networking.istio.io/VirtualService": ["v1", "v1beta1", "v1alpha3"],
  "networking.istio.io/DestinationRule": ["v1", "v1beta1", "v1alpha3"],
  "networking.istio.io/WorkloadEntry": ["v1", "v1beta1", "v1alpha3"],
  "networking.istio.io/WorkloadGroup": ["v1", "v1beta1", "v1alpha3"],
  "networking.istio.io/EnvoyFilter": ["v1alpha3"],
  "telemetry.istio.io/Telemetry": ["v1", "v1alpha1"],
};

/** The object once per served apiVersion of its kind (Istio's); other kinds as they are. */
export function everyServedVersion(o: KubernetesObject): KubernetesObject[] {
  const group = o.apiVersion.split("/")[0];
  const versions = ISTIO_VERSIONS[`${group}/${o.kind}`];
  return versions ? versions.map((v) => ({ ...o, apiVersion: `${group}/${v}` })) : [o];
}

// ---------- pods and every pod-template kind ----------

const APP = { name: "app", image: "registry.example/app:1" };

/** A tenant pod spec with one change. */
function podSpec(change: (spec: Record<string, any>) => void = () => undefined): Record<string, any> {
  const spec: Record<string, any> = { containers: [{ ...APP }] };
  change(spec);
  return spec;
}

/** Every kind that makes pods, wrapping one pod (metadata + spec) the way that kind carries it. */
export const POD_KINDS: readonly { kind: string; wrap: (meta: Meta, spec: object) => KubernetesObject }[] = [
  {
    kind: "Pod",
    wrap: (meta, spec) =>
      object("v1", "Pod", TENANT, "app", { metadata: { name: "app", namespace: TENANT, ...meta }, spec }),
  },
  ...(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"] as const).map((kind) => ({
    kind,
    wrap: (meta: Meta, spec: object) =>
      object("apps/v1", kind, TENANT, "app", {
        spec: {
          selector: { matchLabels: { app: "app" } },
          ...(kind === "StatefulSet" ? { serviceName: "app" } : {}),
          template: { metadata: { ...meta, labels: { app: "app", ...meta.labels } }, spec },
        },
      }),
  })),
  {
    kind: "Job",
    wrap: (meta, spec) =>
      object("batch/v1", "Job", TENANT, "app", {
        spec: { template: { metadata: meta, spec: { ...spec, restartPolicy: "Never" } } },
      }),
  },
  {
    kind: "CronJob",
    wrap: (meta, spec) =>
      object("batch/v1", "CronJob", TENANT, "app", {
        spec: {
          schedule: "0 * * * *",
          jobTemplate: { spec: { template: { metadata: meta, spec: { ...spec, restartPolicy: "Never" } } } },
        },
      }),
  },
  {
    kind: "ReplicationController",
    wrap: (meta, spec) =>
      object("v1", "ReplicationController", TENANT, "app", {
        spec: {
          selector: { app: "app" },
          template: { metadata: { ...meta, labels: { app: "app", ...meta.labels } }, spec },
        },
      }),
  },
  // PodTemplate is guarded too, but the admin ClusterRole cannot write it and no controller runs it.
];

const deployment = (meta: Meta, spec: object = podSpec()) => POD_KINDS[1]!.wrap(meta, spec);

/** Hostile pod shapes: [guardrail, weakening, metadata, spec]. */
export const HOSTILE_PODS: readonly (readonly [string, string, Meta, Record<string, any>])[] = [
  ["tenant-pod-security", "hostNetwork: true", {}, podSpec((s) => (s.hostNetwork = true))],
  ["tenant-pod-security", "hostPID: true", {}, podSpec((s) => (s.hostPID = true))],
  [
    "tenant-pod-security",
    "a hostPath volume",
    {},
    podSpec((s) => (s.volumes = [{ name: "root", hostPath: { path: "/" } }])),
  ],
  [
    "tenant-pod-security",
    "a hostPort",
    {},
    podSpec((s) => (s.containers[0].ports = [{ containerPort: 80, hostPort: 80 }])),
  ],
  [
    "tenant-pod-security",
    "a privileged container",
    {},
    podSpec((s) => (s.containers[0].securityContext = { privileged: true })),
  ],
  [
    "tenant-pod-security",
    "a container adding NET_ADMIN",
    {},
    podSpec((s) => (s.containers[0].securityContext = { capabilities: { add: ["NET_ADMIN"] } })),
  ],
  [
    "tenant-pod-security",
    "an init container adding NET_RAW",
    {},
    podSpec(
      (s) =>
        (s.initContainers = [
          { name: "setup", image: APP.image, securityContext: { capabilities: { add: ["NET_RAW"] } } },
        ]),
    ),
  ],
  [
    "tenant-pod-security",
    "a container adding CAP_NET_ADMIN (the prefixed spelling)",
    {},
    podSpec((s) => (s.containers[0].securityContext = { capabilities: { add: ["CAP_NET_ADMIN"] } })),
  ],
  [
    "tenant-pod-security",
    "an app container running as UID 1337",
    {},
    podSpec((s) => (s.containers[0].securityContext = { runAsUser: 1337 })),
  ],
  [
    "tenant-pod-security",
    "an app container running as GID 1337",
    {},
    podSpec((s) => (s.containers[0].securityContext = { runAsGroup: 1337 })),
  ],
  [
    "tenant-pod-security",
    "a pod-level runAsUser 1337",
    {},
    podSpec((s) => (s.securityContext = { runAsUser: 1337 })),
  ],
  [
    "tenant-pod-security",
    "a pod-level fsGroup 1337",
    {},
    podSpec((s) => (s.securityContext = { fsGroup: 1337 })),
  ],
  [
    "tenant-pod-security",
    "supplementalGroups holding 1337",
    {},
    podSpec((s) => (s.securityContext = { supplementalGroups: [1000, 1337] })),
  ],
  [
    "tenant-pod-security",
    "a user container named istio-proxy",
    {},
    podSpec((s) => s.containers.push({ name: "istio-proxy", image: APP.image })),
  ],
  [
    "tenant-pod-security",
    "a user init container named istio-init running the proxy image with NET_ADMIN",
    {},
    podSpec(
      (s) =>
        (s.initContainers = [
          {
            name: "istio-init",
            image: "registry.example/iptables:1",
            securityContext: { capabilities: { add: ["NET_ADMIN"] } },
          },
        ]),
    ),
  ],
  [
    "tenant-pod-istio-knobs",
    'label sidecar.istio.io/inject: "false"',
    { labels: { "sidecar.istio.io/inject": "false" } },
    podSpec(),
  ],
  ...["no", "False", "off", "disabled", "n"].map(
    (v) =>
      [
        "tenant-pod-istio-knobs",
        `annotation sidecar.istio.io/inject: "${v}"`,
        { annotations: { "sidecar.istio.io/inject": v } },
        podSpec(),
      ] as const,
  ),
  [
    "tenant-pod-istio-knobs",
    'label sidecar.istio.io/inject: "off"',
    { labels: { "sidecar.istio.io/inject": "off" } },
    podSpec(),
  ],
  [
    "tenant-pod-istio-knobs",
    "sidecar.istio.io/interceptionMode: NONE",
    { annotations: { "sidecar.istio.io/interceptionMode": "NONE" } },
    podSpec(),
  ],
  [
    "tenant-pod-istio-knobs",
    "interceptionMode: NONE inside proxy.istio.io/config",
    {
      annotations: {
        "proxy.istio.io/config": "holdApplicationUntilProxyStarts: true\ninterceptionMode: NONE\n",
      },
    },
    podSpec(),
  ],
  [
    "tenant-pod-istio-knobs",
    "traffic.sidecar.istio.io/excludeInterfaces",
    { annotations: { "traffic.sidecar.istio.io/excludeInterfaces": "eth0" } },
    podSpec(),
  ],
  [
    "tenant-pod-istio-knobs",
    "traffic.sidecar.istio.io/excludeOutboundIPRanges",
    { annotations: { "traffic.sidecar.istio.io/excludeOutboundIPRanges": "0.0.0.0/0" } },
    podSpec(),
  ],
  [
    "tenant-pod-istio-knobs",
    "traffic.sidecar.istio.io/excludeOutboundPorts",
    { annotations: { "traffic.sidecar.istio.io/excludeOutboundPorts": "443" } },
    podSpec(),
  ],
  [
    "tenant-pod-istio-knobs",
    "includeOutboundIPRanges narrowed to the cluster",
    { annotations: { "traffic.sidecar.istio.io/includeOutboundIPRanges": "10.0.0.0/8" } },
    podSpec(),
  ],
  [
    "tenant-pod-istio-knobs",
    "inject.istio.io/templates",
    { annotations: { "inject.istio.io/templates": "grpc-agent" } },
    podSpec(),
  ],
  [
    "tenant-pod-istio-knobs",
    "sidecar.istio.io/proxyImage",
    { annotations: { "sidecar.istio.io/proxyImage": "registry.example/envoy:evil" } },
    podSpec(),
  ],
  [
    "tenant-pod-istio-knobs",
    "istio.io/rev naming a revision that does not exist",
    { labels: { "istio.io/rev": "canary-nonexistent" } },
    podSpec(),
  ],
  [
    "tenant-pod-istio-knobs",
    "traffic.sidecar.istio.io/kubevirtInterfaces",
    { annotations: { "traffic.sidecar.istio.io/kubevirtInterfaces": "net1" } },
    podSpec(),
  ],
  [
    "tenant-pod-istio-knobs",
    "label istio.io/dataplane-mode (a knob Istio added later)",
    { labels: { "istio.io/dataplane-mode": "none" } },
    podSpec(),
  ],
  [
    "tenant-pod-istio-knobs",
    "sidecar.istio.io/bootstrapOverride",
    { annotations: { "sidecar.istio.io/bootstrapOverride": "evil-bootstrap" } },
    podSpec(),
  ],
];

/** Hostile on a template only: on a Pod the injector itself writes them. */
export const HOSTILE_TEMPLATES: typeof HOSTILE_PODS = [
  [
    "tenant-pod-istio-knobs",
    "sidecar.istio.io/status on a template (the injector then skips it)",
    { annotations: { "sidecar.istio.io/status": '{"containers":[]}' } },
    podSpec(),
  ],
];

/** The pod shapes hostile in every kind, to try each pod-template kind with. */
export const HOSTILE_IN_EVERY_KIND = HOSTILE_PODS.filter(([, w]) =>
  [
    "hostNetwork: true",
    "an app container running as UID 1337",
    'label sidecar.istio.io/inject: "false"',
    "a container adding NET_ADMIN",
  ].includes(w),
);

/** A pod as the injector leaves it in a mesh with Istio CNI: istio-validation and istio-proxy, capture-all annotations. */
export function cniInjectedPod(): KubernetesObject {
  return POD_KINDS[0]!.wrap(
    {
      labels: {
        app: "app",
        "security.istio.io/tlsMode": "istio",
        "service.istio.io/canonical-name": "app",
        "service.istio.io/canonical-revision": "latest",
      },
      annotations: {
        "istio.io/rev": "default",
        "sidecar.istio.io/status":
          '{"initContainers":["istio-validation"],"containers":["istio-proxy"],"volumes":[],"imagePullSecrets":null,"revision":"default"}',
        "sidecar.istio.io/interceptionMode": "REDIRECT",
        "traffic.sidecar.istio.io/includeOutboundIPRanges": "*",
        "traffic.sidecar.istio.io/includeInboundPorts": "*",
        "traffic.sidecar.istio.io/excludeInboundPorts": "15020,15021,15090",
        "kubectl.kubernetes.io/default-container": "app",
      },
    },
    {
      initContainers: [
        {
          name: "istio-validation",
          image: PROXY_IMAGE,
          args: ["istio-iptables", "--run-validation"],
          securityContext: { runAsUser: 1337, runAsGroup: 1337, capabilities: { drop: ["ALL"] } },
        },
      ],
      containers: [
        { ...APP },
        {
          name: "istio-proxy",
          image: PROXY_IMAGE,
          args: ["proxy", "sidecar"],
          securityContext: { runAsUser: 1337, runAsGroup: 1337, capabilities: { drop: ["ALL"] } },
        },
      ],
    },
  );
}

/** A pod as the injector leaves it without CNI (hostile where the mesh runs CNI, as prod declares): istio-init with NET_ADMIN and NET_RAW, running the proxy image. */
export function initInjectedPod(): KubernetesObject {
  return POD_KINDS[0]!.wrap(
    {
      annotations: {
        "istio.io/rev": "default",
        "sidecar.istio.io/status": '{"initContainers":["istio-init"],"containers":["istio-proxy"]}',
      },
    },
    {
      initContainers: [
        {
          name: "istio-init",
          image: PROXY_IMAGE,
          args: ["istio-iptables"],
          securityContext: {
            runAsUser: 0,
            runAsGroup: 0,
            capabilities: { add: ["NET_ADMIN", "NET_RAW"], drop: ["ALL"] },
          },
        },
      ],
      containers: [
        { ...APP },
        { name: "istio-proxy", image: PROXY_IMAGE, securityContext: { runAsUser: 1337, runAsGroup: 1337 } },
      ],
    },
  );
}

export const COMPLIANT_PODS: readonly Neighbour[] = [
  {
    neighbour:
      'a pod as the injector leaves it with Istio CNI (includeOutboundIPRanges "*", istio-validation as 1337)',
    admitted: cniInjectedPod(),
  },
  {
    neighbour: "a Deployment with proxy resource, log-level and inbound-port annotations",
    admitted: deployment({
      labels: { "sidecar.istio.io/inject": "true" },
      annotations: {
        "sidecar.istio.io/proxyCPU": "100m",
        "sidecar.istio.io/proxyMemory": "128Mi",
        "sidecar.istio.io/proxyCPULimit": "1",
        "sidecar.istio.io/proxyMemoryLimit": "1Gi",
        "sidecar.istio.io/logLevel": "warning",
        "traffic.sidecar.istio.io/excludeInboundPorts": "9090",
      },
    }),
  },
  {
    neighbour: "a Deployment holding the app until the proxy starts (proxy.istio.io/config)",
    admitted: deployment({
      annotations: { "proxy.istio.io/config": "holdApplicationUntilProxyStarts: true\n" },
    }),
  },
  {
    neighbour: "a Deployment running as UID 1000 with NET_BIND_SERVICE",
    admitted: deployment(
      {},
      podSpec(
        (s) =>
          (s.containers[0].securityContext = {
            runAsUser: 1000,
            runAsGroup: 1000,
            capabilities: { add: ["NET_BIND_SERVICE"], drop: ["ALL"] },
          }),
      ),
    ),
  },
  ...POD_KINDS.map((k) => ({ neighbour: `a plain ${k.kind}`, admitted: k.wrap({}, podSpec()) })),
];

// ---------- destinations ----------

const serviceEntry = (spec: object, namespace = TENANT) =>
  object("networking.istio.io/v1", "ServiceEntry", namespace, "extra", {
    spec: {
      hosts: ["ledger.payments.svc.cluster.local"],
      ports: [{ number: 443, name: "tls", protocol: "TLS" }],
      resolution: "DNS",
      ...spec,
    },
  });
const internalEntry = (spec: object) => serviceEntry({ location: "MESH_INTERNAL", exportTo: ["."], ...spec });
const workloadEntry = (address: string) =>
  object("networking.istio.io/v1", "WorkloadEntry", TENANT, "vm", {
    spec: { address, labels: { app: "vm" } },
  });
const workloadGroup = (address: string) =>
  object("networking.istio.io/v1", "WorkloadGroup", TENANT, "vms", {
    spec: { template: { address, labels: { app: "vm" } } },
  });
const service = (spec: object) => object("v1", "Service", TENANT, "partner", { spec });
const endpoints = (ip: string) =>
  object("v1", "Endpoints", TENANT, "partner", {
    subsets: [{ addresses: [{ ip }], ports: [{ port: 443 }] }],
  });
const endpointSlice = (addressType: string, address: string) =>
  object("discovery.k8s.io/v1", "EndpointSlice", TENANT, "partner-1", {
    metadata: { name: "partner-1", namespace: TENANT, labels: { "kubernetes.io/service-name": "partner" } },
    addressType,
    endpoints: [{ addresses: [address] }],
    ports: [{ port: 443 }],
  });
const envoyFilter = (namespace: string, labels: Record<string, string> | undefined) =>
  object("networking.istio.io/v1alpha3", "EnvoyFilter", namespace, "extra", {
    spec: {
      ...(labels ? { workloadSelector: { labels } } : {}),
      configPatches: [{ applyTo: "NETWORK_FILTER", patch: { operation: "REMOVE" } }],
    },
  });

const gateway = (namespace: string, selector: Record<string, string> | undefined) =>
  object("networking.istio.io/v1", "Gateway", namespace, "edge", {
    spec: {
      ...(selector ? { selector } : {}),
      servers: [
        {
          port: { number: 443, name: "tls", protocol: "TLS" },
          hosts: ["*/x.example.com"],
          tls: { mode: "PASSTHROUGH" },
        },
      ],
    },
  });
const sidecar = (spec: object) => object("networking.istio.io/v1", "Sidecar", TENANT, "extra", { spec });
const virtualService = (
  gateways: string[],
  /** null: no exportTo, which Istio reads as "*". */
  exportTo: string[] | null = ["."],
  host = "ledger.payments.svc.cluster.local",
) =>
  object("networking.istio.io/v1", "VirtualService", TENANT, "extra", {
    spec: {
      hosts: [host],
      gateways,
      ...(exportTo ? { exportTo } : {}),
      http: [{ route: [{ destination: { host: "ledger" } }] }],
    },
  });
const destinationRule = (host: string, exportTo: string[] | null = ["."]) =>
  object("networking.istio.io/v1", "DestinationRule", TENANT, "extra", {
    spec: { host, ...(exportTo ? { exportTo } : {}) },
  });
const k8sGateway = (spec: object) =>
  object("gateway.networking.k8s.io/v1", "Gateway", TENANT, "ingress", {
    spec: { gatewayClassName: "istio", listeners: [{ name: "http", port: 80, protocol: "HTTP" }], ...spec },
  });
const route = (kind: string, apiVersion: string, spec: object) =>
  object(apiVersion, kind, TENANT, "r", { spec });
const telemetry = (spec: object) => object("telemetry.istio.io/v1", "Telemetry", TENANT, "t", { spec });
const egressPolicy = (namespace: string, egress: object[]) =>
  object("networking.k8s.io/v1", "NetworkPolicy", namespace, "extra-egress", {
    spec: { podSelector: {}, policyTypes: ["Egress"], egress },
  });
const cilium = (egress: object[]) =>
  object("cilium.io/v2", "CiliumNetworkPolicy", TENANT, "extra", { spec: { endpointSelector: {}, egress } });
const calico = (egress: object[]) =>
  object("crd.projectcalico.org/v1", "NetworkPolicy", TENANT, "extra", {
    spec: { selector: "all()", types: ["Egress"], egress },
  });
const tcp443 = [{ protocol: "TCP", port: 443 }];

export const TENANT_CASES: readonly Case[] = [
  // class 4: destinations from the registry only
  {
    guardrail: "tenant-service-entry",
    weakening: "a ServiceEntry with the default location, MESH_EXTERNAL",
    denied: serviceEntry({ exportTo: ["."] }),
  },
  {
    guardrail: "tenant-service-entry",
    weakening: "a MESH_INTERNAL ServiceEntry with a public host",
    denied: internalEntry({ hosts: ["api.evil.example"] }),
  },
  {
    guardrail: "tenant-service-entry",
    weakening: "a MESH_INTERNAL ServiceEntry with a wildcard host",
    denied: internalEntry({ hosts: ["*.payments.svc.cluster.local"] }),
  },
  {
    guardrail: "tenant-service-entry",
    weakening: "a MESH_INTERNAL ServiceEntry with public addresses",
    denied: internalEntry({
      addresses: ["203.0.113.0/24"],
      resolution: "STATIC",
      endpoints: [{ address: "10.1.2.3" }],
    }),
  },
  {
    guardrail: "tenant-service-entry",
    weakening: "a MESH_INTERNAL ServiceEntry with a public endpoint",
    denied: internalEntry({ resolution: "STATIC", endpoints: [{ address: "203.0.113.10" }] }),
  },
  {
    guardrail: "tenant-service-entry",
    weakening: "a MESH_INTERNAL ServiceEntry whose endpoint is the metadata address",
    denied: internalEntry({ resolution: "STATIC", endpoints: [{ address: "169.254.169.254" }] }),
  },
  {
    guardrail: "tenant-service-entry",
    weakening: "a MESH_INTERNAL ServiceEntry whose endpoint is an outside name",
    denied: internalEntry({ endpoints: [{ address: "api.evil.example" }] }),
  },
  {
    guardrail: "tenant-service-entry",
    weakening: "a MESH_INTERNAL ServiceEntry without exportTo (that is '*')",
    denied: serviceEntry({ location: "MESH_INTERNAL" }),
  },
  {
    guardrail: "tenant-service-entry",
    weakening: "a ServiceEntry exported to the gateway namespace",
    denied: internalEntry({ exportTo: [".", GATEWAY_NS] }),
  },
  {
    guardrail: "tenant-workload-entry",
    weakening: "a WorkloadEntry at a public address",
    denied: workloadEntry("203.0.113.10"),
  },
  {
    guardrail: "tenant-workload-entry",
    weakening: "a WorkloadEntry at a NAT64 address (the IPv4 internet)",
    denied: workloadEntry("64:ff9b::cb00:710a"),
  },
  {
    guardrail: "tenant-workload-entry",
    weakening: "a WorkloadGroup whose template has a public address",
    denied: workloadGroup("198.51.100.7"),
  },
  {
    guardrail: "tenant-service-endpoints",
    weakening: "an ExternalName Service to an outside name",
    denied: service({ type: "ExternalName", externalName: "api.evil.example" }),
  },
  {
    guardrail: "tenant-service-endpoints",
    weakening: "a Service with externalIPs",
    denied: service({ ports: [{ port: 443 }], externalIPs: ["203.0.113.10"] }),
  },
  {
    guardrail: "tenant-service-endpoints",
    weakening: "Endpoints at a public address",
    denied: endpoints("203.0.113.10"),
  },
  {
    guardrail: "tenant-service-endpoints",
    // The API server itself refuses link-local Endpoints; NAT64 it takes.
    weakening: "Endpoints at a NAT64 address (the IPv4 internet)",
    denied: endpoints("64:ff9b::cb00:710a"),
  },
  {
    guardrail: "tenant-service-endpoints",
    weakening: "an EndpointSlice at a public IPv4 address",
    denied: endpointSlice("IPv4", "203.0.113.10"),
  },
  {
    guardrail: "tenant-service-endpoints",
    weakening: "an EndpointSlice at a public IPv6 address",
    denied: endpointSlice("IPv6", "2001:db8::10"),
  },
  {
    guardrail: "tenant-service-endpoints",
    weakening: "an FQDN EndpointSlice to an outside name",
    denied: endpointSlice("FQDN", "api.evil.example"),
  },
  {
    guardrail: "tenant-envoy-filter",
    weakening: "an EnvoyFilter in a tenant namespace (its own workload)",
    denied: envoyFilter(TENANT, { app: "ledger" }),
  },
  {
    guardrail: "tenant-envoy-filter",
    weakening: "an EnvoyFilter without a selector in a tenant namespace",
    denied: envoyFilter(TENANT, undefined),
  },
  // class 5: gateway hijack
  {
    guardrail: "gateway-selector",
    weakening: "a Gateway selecting the gateway by istio=egressgateway",
    denied: gateway(TENANT, { istio: "egressgateway" }),
  },
  {
    guardrail: "gateway-selector",
    weakening: "a Gateway selecting the gateway by app.kubernetes.io/name",
    denied: gateway(TENANT, { "app.kubernetes.io/name": "istio-egressgateway" }),
  },
  {
    guardrail: "gateway-selector",
    weakening: "a Gateway selecting every injected pod by sidecar.istio.io/inject",
    denied: gateway(TENANT, { "sidecar.istio.io/inject": "true" }),
  },
  {
    guardrail: "gateway-selector",
    weakening: "a Gateway selecting every injected pod by security.istio.io/tlsMode",
    denied: gateway(TENANT, { "security.istio.io/tlsMode": "istio" }),
  },
  {
    guardrail: "gateway-selector",
    weakening: "a Gateway selecting by helm.sh/chart (any version)",
    denied: gateway(TENANT, { "helm.sh/chart": "gateway-9.9.9" }),
  },
  {
    guardrail: "gateway-selector",
    weakening: "a Gateway with an empty selector",
    denied: gateway(TENANT, undefined),
  },
  {
    guardrail: "sidecar-registry-only",
    weakening: "a Sidecar selecting the gateway by app",
    denied: sidecar({
      workloadSelector: { labels: { app: "istio-egressgateway" } },
      outboundTrafficPolicy: { mode: "REGISTRY_ONLY" },
    }),
  },
  {
    guardrail: "destination-rule-gateway-host",
    weakening: "a DestinationRule for the gateway's Service",
    denied: destinationRule(`istio-egressgateway.${GATEWAY_NS}.svc.cluster.local`),
  },
  {
    guardrail: "destination-rule-gateway-host",
    weakening: "a DestinationRule whose wildcard covers the gateway's Service",
    denied: destinationRule(`*.${GATEWAY_NS}.svc.cluster.local`),
  },
  {
    guardrail: "tenant-routing-export",
    weakening: "a VirtualService for a registered external host, exported to every namespace by default",
    denied: virtualService(["mesh"], null, "api.stripe.com"),
  },
  {
    guardrail: "tenant-routing-export",
    weakening: "a VirtualService exported to '*'",
    denied: virtualService(["mesh"], ["*"]),
  },
  {
    guardrail: "tenant-routing-export",
    weakening: "a DestinationRule for a registered external host without exportTo (TLS off for everyone)",
    denied: object("networking.istio.io/v1", "DestinationRule", TENANT, "extra", {
      spec: { host: "api.stripe.com", trafficPolicy: { tls: { mode: "DISABLE" } } },
    }),
  },
  {
    guardrail: "tenant-telemetry",
    weakening: "a Telemetry stretching the metrics reportingInterval",
    denied: object("telemetry.istio.io/v1", "Telemetry", TENANT, "t", {
      spec: { metrics: [{ reportingInterval: "87600h" }] },
    }),
  },
  {
    guardrail: "tenant-virtual-service-gateways",
    weakening: "a VirtualService bound to the egress gateway's Gateway",
    denied: virtualService([`${GATEWAY_NS}/egress-gateway`]),
  },
  {
    guardrail: "tenant-gateway-api",
    weakening: "a Gateway API Gateway binding the egress gateway's Service by address",
    denied: k8sGateway({
      addresses: [{ type: "Hostname", value: `istio-egressgateway.${GATEWAY_NS}.svc.cluster.local` }],
    }),
  },
  {
    guardrail: "tenant-gateway-api",
    weakening: "an HTTPRoute attached to a Gateway in the gateway namespace",
    denied: route("HTTPRoute", "gateway.networking.k8s.io/v1", {
      parentRefs: [{ name: "egress", namespace: GATEWAY_NS }],
    }),
  },
  {
    guardrail: "tenant-gateway-api",
    weakening: "an HTTPRoute attached to the gateway's Service (GAMMA)",
    denied: route("HTTPRoute", "gateway.networking.k8s.io/v1beta1", {
      parentRefs: [{ group: "", kind: "Service", name: "istio-egressgateway", namespace: GATEWAY_NS }],
    }),
  },
  {
    guardrail: "tenant-gateway-api",
    weakening: "an HTTPRoute attached to a ServiceEntry (an outside host)",
    denied: route("HTTPRoute", "gateway.networking.k8s.io/v1", {
      parentRefs: [{ group: "networking.istio.io", kind: "ServiceEntry", name: "stripe" }],
    }),
  },
  {
    guardrail: "tenant-gateway-api",
    weakening: "an HTTPRoute sending to a Hostname backend",
    denied: route("HTTPRoute", "gateway.networking.k8s.io/v1", {
      parentRefs: [{ name: "ingress" }],
      rules: [
        {
          backendRefs: [
            { group: "networking.istio.io", kind: "Hostname", name: "api.evil.example", port: 443 },
          ],
        },
      ],
    }),
  },
  {
    guardrail: "tenant-gateway-api",
    weakening: "a TLSRoute sending to a Service in the gateway namespace",
    denied: route("TLSRoute", "gateway.networking.k8s.io/v1alpha2", {
      parentRefs: [{ name: "ingress" }],
      rules: [{ backendRefs: [{ name: "istio-egressgateway", namespace: GATEWAY_NS, port: 443 }] }],
    }),
  },
  {
    guardrail: "tenant-gateway-api",
    weakening: "a TCPRoute attached to a Gateway in the root namespace",
    denied: route("TCPRoute", "gateway.networking.k8s.io/v1alpha2", {
      parentRefs: [{ name: "mesh-gw", namespace: ROOT_NS }],
    }),
  },
  {
    guardrail: "tenant-gateway-api",
    weakening: "a GRPCRoute sending to a ServiceEntry",
    denied: route("GRPCRoute", "gateway.networking.k8s.io/v1", {
      parentRefs: [{ name: "ingress" }],
      rules: [{ backendRefs: [{ group: "networking.istio.io", kind: "ServiceEntry", name: "stripe" }] }],
    }),
  },
  // class 3 (Sidecar): REGISTRY_ONLY explicitly
  {
    guardrail: "sidecar-registry-only",
    weakening: "a tenant Sidecar with ALLOW_ANY",
    denied: sidecar({
      workloadSelector: { labels: { app: "ledger" } },
      outboundTrafficPolicy: { mode: "ALLOW_ANY" },
    }),
  },
  {
    guardrail: "sidecar-registry-only",
    weakening: "a tenant Sidecar leaving the mode to the mesh default",
    denied: sidecar({ workloadSelector: { labels: { app: "ledger" } } }),
  },
  // class 6: two lists
  {
    guardrail: "network-policy-internal-egress",
    weakening: "a NetworkPolicy opening 0.0.0.0/0",
    denied: egressPolicy(TENANT, [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: tcp443 }]),
  },
  {
    guardrail: "network-policy-internal-egress",
    weakening: "a NetworkPolicy opening the NAT64 prefix (the IPv4 internet)",
    denied: egressPolicy(TENANT, [{ to: [{ ipBlock: { cidr: "64:ff9b::/96" } }], ports: tcp443 }]),
  },
  {
    guardrail: "network-policy-internal-egress",
    weakening: "a NetworkPolicy opening the metadata endpoint",
    denied: egressPolicy(TENANT, [
      { to: [{ ipBlock: { cidr: "169.254.169.254/32" } }], ports: [{ protocol: "TCP", port: 80 }] },
    ]),
  },
  {
    guardrail: "network-policy-internal-egress",
    weakening: "a NetworkPolicy opening public IPv6 space",
    denied: egressPolicy(TENANT, [{ to: [{ ipBlock: { cidr: "2000::/3" } }], ports: tcp443 }]),
  },
  {
    guardrail: "network-policy-internal-egress",
    weakening: "a NetworkPolicy egress rule without `to`",
    denied: egressPolicy(TENANT, [{ ports: tcp443 }]),
  },
  {
    guardrail: "network-policy-internal-egress",
    weakening: "a NetworkPolicy reaching every namespace (istiod and kube-system included) on every port",
    denied: egressPolicy(TENANT, [{ to: [{ namespaceSelector: {} }] }]),
  },
  {
    guardrail: "network-policy-internal-egress",
    weakening: "a NetworkPolicy reaching the control plane's namespace on every port",
    denied: egressPolicy(TENANT, [
      { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ROOT_NS } } }] },
    ]),
  },
  {
    guardrail: "network-policy-internal-egress",
    weakening: "a NetworkPolicy reaching a private range (istiod's pods) on every port",
    denied: egressPolicy(TENANT, [{ to: [{ ipBlock: { cidr: "10.0.0.0/8" } }] }]),
  },
  // class 7: telemetry
  {
    guardrail: "tenant-telemetry",
    weakening: "a Telemetry disabling metrics",
    denied: telemetry({ metrics: [{ overrides: [{ match: { metric: "ALL_METRICS" }, disabled: true }] }] }),
  },
  {
    guardrail: "tenant-telemetry",
    weakening: "a Telemetry disabling access logs",
    denied: telemetry({ accessLogging: [{ disabled: true }] }),
  },
  {
    guardrail: "tenant-telemetry",
    weakening: "a Telemetry filtering every access log away",
    denied: telemetry({ accessLogging: [{ filter: { expression: "false" } }] }),
  },
  {
    guardrail: "tenant-telemetry",
    weakening: "a Telemetry sending metrics to another provider only",
    denied: telemetry({ metrics: [{ providers: [{ name: "nowhere" }] }] }),
  },
  // class 8: CNI policy kinds
  {
    guardrail: "tenant-cni-policies",
    weakening: "a CiliumNetworkPolicy with toFQDNs",
    denied: cilium([{ toFQDNs: [{ matchName: "api.evil.example" }] }]),
  },
  {
    guardrail: "tenant-cni-policies",
    weakening: "a CiliumNetworkPolicy with a public toCIDR",
    denied: cilium([{ toCIDR: ["203.0.113.0/24"] }]),
  },
  {
    guardrail: "tenant-cni-policies",
    weakening: "a CiliumNetworkPolicy with toEntities: world",
    denied: cilium([{ toEntities: ["world"] }]),
  },
  {
    guardrail: "tenant-cni-policies",
    weakening: "a CiliumNetworkPolicy rule with ports and no peer (every destination)",
    denied: cilium([{ toPorts: [{ ports: [{ port: "443", protocol: "TCP" }] }] }]),
  },
  {
    guardrail: "tenant-cni-policies",
    weakening: "a Calico NetworkPolicy allowing a public net",
    denied: calico([{ action: "Allow", destination: { nets: ["0.0.0.0/0"] } }]),
  },
  {
    guardrail: "tenant-cni-policies",
    weakening: "a Calico NetworkPolicy allowing domains",
    denied: calico([{ action: "Allow", destination: { domains: ["api.evil.example"] } }]),
  },
  {
    guardrail: "tenant-cni-policies",
    weakening: "a Calico NetworkPolicy allowing every destination",
    denied: calico([{ action: "Allow" }]),
  },
  {
    guardrail: "tenant-cni-policies",
    weakening: "a Calico NetworkPolicy passing to the next tier",
    denied: calico([{ action: "Pass" }]),
  },
];

export const TENANT_NEIGHBOURS: readonly Neighbour[] = [
  { neighbour: 'an internal ServiceEntry with exportTo ["."]', admitted: internalEntry({}) },
  {
    neighbour: "an internal ServiceEntry with in-cluster addresses and endpoints",
    admitted: internalEntry({
      addresses: ["10.96.0.0/16"],
      resolution: "STATIC",
      endpoints: [{ address: "10.1.2.3" }, { address: "fd00:10::5" }],
    }),
  },
  { neighbour: "a WorkloadEntry at a private address", admitted: workloadEntry("10.20.30.40") },
  {
    neighbour: "an ExternalName Service to an in-cluster name",
    admitted: service({ type: "ExternalName", externalName: "ledger.accounts.svc.cluster.local" }),
  },
  { neighbour: "Endpoints at a pod address", admitted: endpoints("10.244.1.7") },
  { neighbour: "an EndpointSlice at a pod address", admitted: endpointSlice("IPv4", "10.244.1.7") },
  { neighbour: "the tenant's own ingress Gateway", admitted: gateway(TENANT, { istio: "payments-ingress" }) },
  {
    neighbour: "a Sidecar selecting the gateway's labels plus one it lacks, REGISTRY_ONLY",
    admitted: sidecar({
      workloadSelector: { labels: { istio: "egressgateway", app: "ledger" } },
      outboundTrafficPolicy: { mode: "REGISTRY_ONLY" },
    }),
  },
  {
    neighbour: "a VirtualService bound to mesh and the tenant's own Gateway",
    admitted: virtualService(["mesh", "edge"]),
  },
  { neighbour: "the tenant's own Gateway API Gateway (Istio deploys it)", admitted: k8sGateway({}) },
  {
    neighbour: "an HTTPRoute from its own Gateway to its own Service",
    admitted: route("HTTPRoute", "gateway.networking.k8s.io/v1", {
      parentRefs: [{ name: "ingress" }],
      rules: [{ backendRefs: [{ name: "ledger", port: 8080 }] }],
    }),
  },
  {
    neighbour:
      "an in-cluster NetworkPolicy (own namespace, a private range on named ports, a named namespace)",
    admitted: egressPolicy(TENANT, [
      { to: [{ podSelector: {} }] },
      { to: [{ ipBlock: { cidr: "10.20.0.0/16" } }], ports: tcp443 },
      { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "accounts" } } }] },
    ]),
  },
  {
    neighbour: "a NetworkPolicy to unique-local IPv6 on a named port",
    admitted: egressPolicy(TENANT, [{ to: [{ ipBlock: { cidr: "fd00:10::/64" } }], ports: tcp443 }]),
  },
  {
    neighbour: "a Telemetry adding a tag and tracing",
    admitted: telemetry({
      metrics: [
        {
          overrides: [
            { match: { metric: "REQUEST_COUNT" }, tagOverrides: { team: { value: "'payments'" } } },
          ],
        },
      ],
      tracing: [{ randomSamplingPercentage: 5 }],
    }),
  },
  {
    neighbour: "a CiliumNetworkPolicy to in-cluster endpoints and a private CIDR",
    admitted: cilium([
      { toEndpoints: [{}] },
      { toCIDR: ["10.20.0.0/16"], toPorts: [{ ports: [{ port: "5432", protocol: "TCP" }] }] },
    ]),
  },
  {
    neighbour: "a Calico NetworkPolicy allowing a selector",
    admitted: calico([{ action: "Allow", destination: { selector: "app == 'db'" } }]),
  },
  {
    neighbour: "a Calico NetworkPolicy allowing a private net",
    admitted: calico([{ action: "Allow", destination: { nets: ["10.20.0.0/16"] } }]),
  },
  { neighbour: "a Calico NetworkPolicy denying everything", admitted: calico([{ action: "Deny" }]) },
  {
    neighbour: "a DestinationRule whose wildcard covers only its own namespace",
    admitted: destinationRule("*.payments.svc.cluster.local"),
  },
];
