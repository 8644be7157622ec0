/** A kind of object, by API group ("" for the core group) and kind; any served version matches. */
export interface ObjectKind {
  readonly group: string;
  readonly kind: string;
}

/** The kinds the rules read and the program writes, by API group; any served version of a kind matches. */
export const KIND = {
  Namespace: { group: "", kind: "Namespace" },
  Service: { group: "", kind: "Service" },
  Secret: { group: "", kind: "Secret" },
  ConfigMap: { group: "", kind: "ConfigMap" },
  Endpoints: { group: "", kind: "Endpoints" },
  EndpointSlice: { group: "discovery.k8s.io", kind: "EndpointSlice" },
  Pod: { group: "", kind: "Pod" },
  ReplicationController: { group: "", kind: "ReplicationController" },
  /** A pod template on its own; controllers copy it, so it is judged like the pods it becomes. */
  PodTemplate: { group: "", kind: "PodTemplate" },
  Deployment: { group: "apps", kind: "Deployment" },
  StatefulSet: { group: "apps", kind: "StatefulSet" },
  DaemonSet: { group: "apps", kind: "DaemonSet" },
  ReplicaSet: { group: "apps", kind: "ReplicaSet" },
  Job: { group: "batch", kind: "Job" },
  CronJob: { group: "batch", kind: "CronJob" },
  HorizontalPodAutoscaler: { group: "autoscaling", kind: "HorizontalPodAutoscaler" },
  PodDisruptionBudget: { group: "policy", kind: "PodDisruptionBudget" },
  NetworkPolicy: { group: "networking.k8s.io", kind: "NetworkPolicy" },
  /** The network-policy API's cluster-wide policy (v1alpha1): evaluated before every NetworkPolicy. */
  AdminNetworkPolicy: { group: "policy.networking.k8s.io", kind: "AdminNetworkPolicy" },
  /** Its cluster-wide default, evaluated after every NetworkPolicy (v1alpha1). */
  BaselineAdminNetworkPolicy: { group: "policy.networking.k8s.io", kind: "BaselineAdminNetworkPolicy" },
  ServiceEntry: { group: "networking.istio.io", kind: "ServiceEntry" },
  WorkloadEntry: { group: "networking.istio.io", kind: "WorkloadEntry" },
  WorkloadGroup: { group: "networking.istio.io", kind: "WorkloadGroup" },
  Gateway: { group: "networking.istio.io", kind: "Gateway" },
  VirtualService: { group: "networking.istio.io", kind: "VirtualService" },
  DestinationRule: { group: "networking.istio.io", kind: "DestinationRule" },
  Sidecar: { group: "networking.istio.io", kind: "Sidecar" },
  EnvoyFilter: { group: "networking.istio.io", kind: "EnvoyFilter" },
  /** Per-workload proxy settings applied at injection (networking.istio.io/v1beta1). */
  ProxyConfig: { group: "networking.istio.io", kind: "ProxyConfig" },
  AuthorizationPolicy: { group: "security.istio.io", kind: "AuthorizationPolicy" },
  PeerAuthentication: { group: "security.istio.io", kind: "PeerAuthentication" },
  Telemetry: { group: "telemetry.istio.io", kind: "Telemetry" },
  Certificate: { group: "cert-manager.io", kind: "Certificate" },
  Issuer: { group: "cert-manager.io", kind: "Issuer" },
  /** istioctl's install API: its `spec.meshConfig` is istiod's mesh config. */
  IstioOperator: { group: "install.istio.io", kind: "IstioOperator" },
  /** The sidecar injector's webhook, labelled with its revision in a live cluster. */
  MutatingWebhookConfiguration: {
    group: "admissionregistration.k8s.io",
    kind: "MutatingWebhookConfiguration",
  },
  /** Kubernetes Gateway API, which Istio also programs (gatewayClassName istio). */
  KubernetesGateway: { group: "gateway.networking.k8s.io", kind: "Gateway" },
  HTTPRoute: { group: "gateway.networking.k8s.io", kind: "HTTPRoute" },
  TLSRoute: { group: "gateway.networking.k8s.io", kind: "TLSRoute" },
  TCPRoute: { group: "gateway.networking.k8s.io", kind: "TCPRoute" },
  GRPCRoute: { group: "gateway.networking.k8s.io", kind: "GRPCRoute" },
  UDPRoute: { group: "gateway.networking.k8s.io", kind: "UDPRoute" },
  /** Cilium's policies: additive allow rules beside NetworkPolicy (cilium.io/v2). */
  CiliumNetworkPolicy: { group: "cilium.io", kind: "CiliumNetworkPolicy" },
  CiliumClusterwideNetworkPolicy: { group: "cilium.io", kind: "CiliumClusterwideNetworkPolicy" },
  /** Calico's policies, through its API server (projectcalico.org/v3) or its CRDs (crd.projectcalico.org/v1). */
  CalicoNetworkPolicy: { group: "projectcalico.org", kind: "NetworkPolicy" },
  CalicoGlobalNetworkPolicy: { group: "projectcalico.org", kind: "GlobalNetworkPolicy" },
  CalicoCrdNetworkPolicy: { group: "crd.projectcalico.org", kind: "NetworkPolicy" },
  CalicoCrdGlobalNetworkPolicy: { group: "crd.projectcalico.org", kind: "GlobalNetworkPolicy" },
  /** Calico's named address sets: a policy selector matching one allows its nets (global() for the global ones). */
  CalicoNetworkSet: { group: "projectcalico.org", kind: "NetworkSet" },
  CalicoGlobalNetworkSet: { group: "projectcalico.org", kind: "GlobalNetworkSet" },
  CalicoCrdNetworkSet: { group: "crd.projectcalico.org", kind: "NetworkSet" },
  CalicoCrdGlobalNetworkSet: { group: "crd.projectcalico.org", kind: "GlobalNetworkSet" },
  /** Flux: how `mesh-egress render` shows a Helm chart. */
  HelmRelease: { group: "helm.toolkit.fluxcd.io", kind: "HelmRelease" },
  /** `kubernetes:helm.sh/v4:Chart` (and v3) as CrossGuard sees it at preview, turned into an object. */
  HelmChart: { group: "helm.sh", kind: "Chart" },
  HelmChartRelease: { group: "helm.sh", kind: "Release" },
} as const satisfies Record<string, ObjectKind>;

/** Kinds whose pod template decides sidecar injection. */
export const WORKLOAD_KINDS: readonly ObjectKind[] = [
  KIND.Deployment,
  KIND.StatefulSet,
  KIND.DaemonSet,
  KIND.ReplicaSet,
  KIND.Job,
  KIND.CronJob,
  KIND.ReplicationController,
  KIND.PodTemplate,
  KIND.Pod,
];

export const CHART_KINDS: readonly ObjectKind[] = [KIND.HelmRelease, KIND.HelmChart, KIND.HelmChartRelease];
