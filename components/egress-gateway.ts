import * as pulumi from "@pulumi/pulumi";
import type { EgressConfig, SpreadPolicy } from "../stacks/egress-config";
import { INTERNAL_IPV4_RANGES, INTERNAL_IPV6_RANGES } from "../stacks/internal-ranges";
import { PROXY_STATS_INCLUSION_REGEXPS } from "./egress-metrics";
import { gatewaySubsets } from "./external-service";
import { COMPONENT_LABEL, GATEWAY_ROLE, GATEWAY_SELECTOR, ROLE_LABEL } from "../policy/contract";
import { ACCESS_LOG_PROVIDER_NAME } from "./gateway-access-log";
import { gatewayListenerPorts, gatewayServiceHost } from "./gateway-endpoint";
import { HelmChartSpec, KubernetesObject, ownedLabels } from "./kubernetes-object";
import { dnsEgressRule, istiodEgressRule, namespaceSelectorFor } from "./network-policy-peers";
import { subsetConnectionPool, withConnectionPool } from "./rate-limit-model";
import { registerChart, registerManifests, registerNamespaceFirst } from "./register-manifests";

const labels = () => ownedLabels({ [COMPONENT_LABEL]: "egress-gateway" });

function gatewayNamespace(config: EgressConfig): KubernetesObject {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name: config.gateway.namespace,
      labels: { ...labels(), [ROLE_LABEL]: GATEWAY_ROLE, "istio-injection": "enabled" },
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
    // Read at pod start: Envoy exports per-cluster TLS stats only when included here.
    podAnnotations: {
      "proxy.istio.io/config": JSON.stringify({
        proxyStatsMatcher: { inclusionRegexps: [...PROXY_STATS_INCLUSION_REGEXPS] },
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
      subsets: config.services.flatMap((service) =>
        gatewaySubsets(service).map((subset) =>
          withConnectionPool(subset, subsetConnectionPool(service, config)),
        ),
      ),
    },
  };
}

/** The whole internet minus internal ranges, or the service's declared CIDRs. */
function externalPeers(cidrs: readonly string[] | undefined) {
  if (cidrs && cidrs.length > 0) {
    return cidrs.map((cidr) => ({ ipBlock: { cidr } }));
  }
  return [
    { ipBlock: { cidr: "0.0.0.0/0", except: [...INTERNAL_IPV4_RANGES] } },
    { ipBlock: { cidr: "::/0", except: [...INTERNAL_IPV6_RANGES] } },
  ];
}

/**
 * The gateway pods accept traffic only from tenants (and scrapers) and reach only DNS, istiod and
 * public addresses on the declared ports: a name that starts resolving inward becomes unreachable.
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

  const openInternetPorts = [
    ...new Set(config.services.filter((s) => !s.allowedCidrs?.length).map((s) => s.port)),
  ].sort((a, b) => a - b);
  const external: Record<string, unknown>[] = [];
  if (openInternetPorts.length > 0) {
    external.push({
      to: externalPeers(undefined),
      ports: openInternetPorts.map((port) => ({ protocol: "TCP", port })),
    });
  }
  for (const service of config.services.filter((s) => s.allowedCidrs?.length)) {
    external.push({
      to: externalPeers(service.allowedCidrs),
      ports: [{ protocol: "TCP", port: service.port }],
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
      egress: [dnsEgressRule(config), istiodEgressRule(config), ...external],
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
  /** Gateway-wide objects: subsets, NetworkPolicy, access logging. */
  readonly objects: KubernetesObject[];
}

/** Everything the gateway itself needs. Pure: same config, same manifests. */
export function buildEgressGatewayManifests(config: EgressConfig): EgressGatewayManifests {
  return {
    namespace: gatewayNamespace(config),
    chart: gatewayChart(config),
    objects: [gatewayDestinationRule(config), gatewayNetworkPolicy(config), accessLogging(config)],
  };
}

export interface EgressGatewayArgs {
  /** What `buildEgressGatewayManifests` built: namespace, chart and gateway-wide objects. */
  readonly manifests: EgressGatewayManifests;
  /** The in-mesh address sidecars route egress to (`<release>.<namespace>.svc.cluster.local`). */
  readonly serviceHost: string;
  /** Resources the namespace waits for, e.g. istiod's chart when the stack installs Istio. Default: none. */
  readonly after?: readonly pulumi.Resource[];
}

/** The Istio egress gateway: namespace, Helm release, subsets, NetworkPolicy and access logging. */
export class EgressGateway extends pulumi.ComponentResource {
  /** In-mesh address the sidecars route egress to. */
  public readonly serviceHost: pulumi.Output<string>;
  public readonly namespace: pulumi.Output<string>;
  /** The registered namespace: what objects living in it (issuers) wait for. */
  public readonly namespaceResource: pulumi.Resource;
  /** The gateway chart: routes wait for it. */
  public readonly chart: pulumi.Resource;
  /** The gateway-wide DestinationRule holding every subset the routes name. */
  public readonly subsets: pulumi.Resource;

  constructor(name: string, args: EgressGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-egress:index:EgressGateway", name, {}, opts);
    const { manifests } = args;
    this.namespaceResource = registerNamespaceFirst(this, name, manifests.namespace, opts, args.after);
    this.chart = registerChart(`${name}-chart`, manifests.chart, {
      parent: this,
      dependsOn: [this.namespaceResource],
    });
    const objects = registerManifests(name, manifests.objects, {
      parent: this,
      dependsOn: [this.namespaceResource, this.chart],
    });
    this.subsets = objects[manifests.objects.findIndex((o) => o.kind === "DestinationRule")];
    this.serviceHost = pulumi.output(args.serviceHost);
    this.namespace = pulumi.output(manifests.namespace.metadata.name);
    this.registerOutputs({ serviceHost: this.serviceHost, namespace: this.namespace });
  }
}
