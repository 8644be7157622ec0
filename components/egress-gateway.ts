import type { EgressConfig, SpreadPolicy } from "../stacks/model/egress-config";
import { routedServices } from "../stacks/relations/temporary-services";
import { clusterInternalRanges } from "../stacks/schema/values/internal-ranges";
import { hostCidr } from "../stacks/schema/values/pinned-addresses";
import { PROXY_STATS_INCLUSION_REGEXPS } from "./egress-metrics";
import { gatewaySubsets } from "./external-service";
import {
  CLUSTER_INTERNAL_CIDRS_ANNOTATION,
  COMPONENT_LABEL,
  GATEWAY_PROXY_HEADERS,
  LOCK_ALL_NAMESPACES_ANNOTATION,
  NODE_LOCAL_DNS_ANNOTATION,
  GATEWAY_ROLE,
  GATEWAY_SELECTOR,
  PROXY_CONFIG_ANNOTATION,
  ROLE_LABEL,
} from "../policy/contract";
import { gatewayAllowNothingPolicy } from "./gateway-allow-nothing";
import { buildHttpGateway } from "./gateway-http-server";
import { gatewayListenerPorts, gatewayServiceHost } from "./gateway-endpoint";
import { HelmChartSpec, KubernetesObject, ownedLabels } from "./kubernetes-object";
import { ACCESS_LOG_PROVIDER_NAME } from "./gateway-access-log";
import { injectionLabels } from "./mesh-injection";
import { dnsEgressRule, istiodEgressRule, namespaceSelectorFor } from "./network-policy-peers";
import { subsetConnectionPool, withConnectionPool } from "./rate-limit-model";

const labels = () => ownedLabels({ [COMPONENT_LABEL]: "egress-gateway" });

/**
 * Stack settings the policy pack must judge by but cannot read from config: the cluster's own ranges, and
 * whether (and with which exemptions) every namespace's egress is locked.
 */
function gatewayNamespaceAnnotations(config: EgressConfig): Record<string, string> {
  const { internalCidrs, lockAllNamespaces, dns } = config.cluster;
  return {
    ...(internalCidrs.length > 0 ? { [CLUSTER_INTERNAL_CIDRS_ANNOTATION]: internalCidrs.join(",") } : {}),
    ...(dns.nodeLocalAddresses.length > 0
      ? { [NODE_LOCAL_DNS_ANNOTATION]: dns.nodeLocalAddresses.map(hostCidr).join(",") }
      : {}),
    ...(lockAllNamespaces.enabled
      ? { [LOCK_ALL_NAMESPACES_ANNOTATION]: lockAllNamespaces.exempt.join(",") }
      : {}),
  };
}

function gatewayNamespace(config: EgressConfig): KubernetesObject {
  const annotations = gatewayNamespaceAnnotations(config);
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name: config.gateway.namespace,
      labels: { ...labels(), [ROLE_LABEL]: GATEWAY_ROLE, ...injectionLabels(config) },
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
  };
}

function spreadConstraint(topologyKey: string, policy: SpreadPolicy) {
  return policy === "off"
    ? []
    : [
        {
          maxSkew: 1,
          topologyKey,
          whenUnsatisfiable: policy,
          labelSelector: { matchLabels: { ...GATEWAY_SELECTOR } },
        },
      ];
}

/** Values for the `istio/gateway` chart: in-cluster only, autoscaled, spread, with a disruption budget. */
export function gatewayChartValues(config: EgressConfig): Record<string, unknown> {
  const gw = config.gateway;
  const values: Record<string, unknown> = {
    // In-cluster only: the egress gateway must never be reachable from outside.
    service: {
      type: "ClusterIP",
      ports: [
        { name: "status-port", port: 15021, protocol: "TCP", targetPort: 15021 },
        ...gatewayListenerPorts(config).map((port) => ({
          name: `egress-${port}`,
          port,
          protocol: "TCP",
          targetPort: port,
        })),
      ],
    },
    labels: { ...GATEWAY_SELECTOR, ...labels() },
    // Read at pod start: Envoy exports per-cluster TLS stats only when included here; peer metadata and
    // attempt counts stay inside the mesh (the routes also strip them per request).
    podAnnotations: {
      [PROXY_CONFIG_ANNOTATION]: JSON.stringify({
        proxyStatsMatcher: { inclusionRegexps: [...PROXY_STATS_INCLUSION_REGEXPS] },
        proxyHeaders: GATEWAY_PROXY_HEADERS,
      }),
    },
    autoscaling: {
      enabled: true,
      minReplicas: gw.replicas.min,
      maxReplicas: gw.replicas.max,
      targetCPUUtilizationPercentage: gw.targetCpuUtilizationPercentage,
    },
    resources: { requests: { ...gw.resources.requests }, limits: { ...gw.resources.limits } },
    topologySpreadConstraints: [
      ...spreadConstraint("topology.kubernetes.io/zone", gw.spread.zone),
      ...spreadConstraint("kubernetes.io/hostname", gw.spread.node),
    ],
  };
  if (config.controlPlane.revision) {
    // The gateway's proxy is injected by, and connects to, that revision's istiod.
    values.revision = config.controlPlane.revision;
  }
  if (gw.podDisruptionBudget !== false) {
    values.podDisruptionBudget = { ...gw.podDisruptionBudget };
  }
  if (Object.keys(gw.nodeSelector).length > 0) {
    values.nodeSelector = { ...gw.nodeSelector };
  }
  if (gw.tolerations.length > 0) {
    values.tolerations = gw.tolerations.map((t) => ({ ...t }));
  }
  return values;
}

export function gatewayChart(config: EgressConfig): HelmChartSpec {
  return {
    releaseName: config.gateway.releaseName,
    namespace: config.gateway.namespace,
    chart: "gateway",
    version: config.gateway.chart.version,
    repository: config.gateway.chart.repository,
    repositoryName: "istio",
    values: gatewayChartValues(config),
  };
}

/** The gateway's own DestinationRule: one subset per external host, for the sidecars to route to. */
function gatewayDestinationRule(config: EgressConfig): KubernetesObject {
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "DestinationRule",
    metadata: { name: config.gateway.releaseName, namespace: config.gateway.namespace, labels: labels() },
    spec: {
      host: gatewayServiceHost(config),
      exportTo: [".", ...config.tenants.map((t) => t.namespace)],
      subsets: routedServices(config).flatMap((service) =>
        gatewaySubsets(service, config).map(({ subset, tenant }) =>
          withConnectionPool(subset, subsetConnectionPool(service, config, tenant)),
        ),
      ),
    },
  };
}

/** The whole internet minus internal ranges (the cluster's own included). */
function internetPeers(config: EgressConfig) {
  const internal = clusterInternalRanges(config);
  return [
    { ipBlock: { cidr: "0.0.0.0/0", except: internal.ipv4 } },
    { ipBlock: { cidr: "::/0", except: internal.ipv6 } },
  ];
}

/**
 * The gateway's egress to the world, per port. NetworkPolicy rules add up, so a port narrows to pinned
 * addresses only when every service on it is pinned; one unpinned service keeps the port open to the internet.
 */
function externalEgressRules(config: EgressConfig): Record<string, unknown>[] {
  const services = routedServices(config);
  const ports = [...new Set(services.map((s) => s.port))].sort((a, b) => a - b);
  const onPort = (port: number) => services.filter((s) => s.port === port);
  const pinnedOnly = ports.filter((port) => onPort(port).every((s) => (s.pinnedAddresses ?? []).length > 0));
  const open = ports.filter((port) => !pinnedOnly.includes(port));
  const rules: Record<string, unknown>[] = [];
  if (open.length > 0) {
    rules.push({ to: internetPeers(config), ports: open.map((port) => ({ protocol: "TCP", port })) });
  }
  for (const port of pinnedOnly) {
    const addresses = [...new Set(onPort(port).flatMap((s) => s.pinnedAddresses ?? []))];
    rules.push({
      to: addresses.map((address) => ({ ipBlock: { cidr: hostCidr(address) } })),
      ports: [{ protocol: "TCP", port }],
    });
  }
  return rules;
}

/**
 * The gateway pods accept traffic only from tenants (and scrapers) and reach only DNS, istiod and
 * public addresses on the declared ports (pinned ones only, where every service on the port is pinned): a
 * name that starts resolving inward becomes unreachable.
 */
function gatewayNetworkPolicy(config: EgressConfig): KubernetesObject {
  const listenerPorts = gatewayListenerPorts(config).map((port) => ({ protocol: "TCP", port }));
  const ingress: Record<string, unknown>[] = [];
  if (config.tenants.length > 0) {
    ingress.push({
      from: config.tenants.map((t) => ({ namespaceSelector: namespaceSelectorFor(t.namespace) })),
      ports: listenerPorts,
    });
  }
  if (config.gateway.scrapeFromNamespaces.length > 0) {
    ingress.push({
      from: config.gateway.scrapeFromNamespaces.map((ns) => ({
        namespaceSelector: namespaceSelectorFor(ns),
      })),
      ports: [
        { protocol: "TCP", port: 15020 },
        { protocol: "TCP", port: 15090 },
      ],
    });
  }

  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: config.gateway.releaseName, namespace: config.gateway.namespace, labels: labels() },
    spec: {
      podSelector: { matchLabels: { ...GATEWAY_SELECTOR } },
      policyTypes: ["Ingress", "Egress"],
      ingress,
      egress: [dnsEgressRule(config), istiodEgressRule(config), ...externalEgressRules(config)],
    },
  };
}

/**
 * Access logs with the caller's identity at the single egress point, and gateway metrics attributed
 * to the caller: `source_principal` would otherwise be the gateway itself.
 */
function accessLogging(config: EgressConfig): KubernetesObject {
  return {
    apiVersion: "telemetry.istio.io/v1",
    kind: "Telemetry",
    metadata: {
      name: `${config.gateway.releaseName}-access-logs`,
      namespace: config.gateway.namespace,
      labels: labels(),
    },
    spec: {
      selector: { matchLabels: { ...GATEWAY_SELECTOR } },
      accessLogging: [{ providers: [{ name: ACCESS_LOG_PROVIDER_NAME }] }],
      metrics: [
        {
          providers: [{ name: "prometheus" }],
          overrides: [
            {
              match: { metric: "ALL_METRICS", mode: "CLIENT" },
              tagOverrides: { source_principal: { value: "connection.uri_san_peer_certificate" } },
            },
          ],
        },
      ],
    },
  };
}

export interface EgressGatewayManifests {
  readonly namespace: KubernetesObject;
  readonly chart: HelmChartSpec;
  /** Gateway-wide objects: subsets, the shared HTTP Gateway, NetworkPolicy, access logging, allow-nothing when nothing is granted. */
  readonly objects: KubernetesObject[];
}

/** Everything the gateway itself needs. Pure: same config, same manifests. */
export function buildEgressGatewayManifests(config: EgressConfig): EgressGatewayManifests {
  return {
    namespace: gatewayNamespace(config),
    chart: gatewayChart(config),
    objects: [
      gatewayDestinationRule(config),
      ...[buildHttpGateway(config)].filter((gateway) => gateway !== undefined),
      gatewayNetworkPolicy(config),
      accessLogging(config),
      ...[gatewayAllowNothingPolicy(config)].filter((policy) => policy !== undefined),
    ],
  };
}
