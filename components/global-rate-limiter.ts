import { stringify } from "yaml";
import type { EgressConfig } from "../stacks/model/egress-config";
import type { ParsedGlobalLimiter } from "../stacks/schema/rate-limits";
import {
  always,
  beforeGatewayRouter,
  descriptorActions,
  RATE_LIMITED_HEADER,
  SERVICE_KEY,
  TENANT_KEY,
  TYPE_URL,
} from "./envoy-filters/local-rate-limits";
import {
  COMPONENT_LABEL,
  GATEWAY_SELECTOR,
  HTTP_GLOBAL_RATE_LIMIT,
  PULUMI_SECRET_KEYS_ANNOTATION,
  PULUMI_SECRET_SOURCE_ANNOTATION,
} from "../policy/contract";
import { GatewayWorkload, GLOBAL_RATE_LIMIT_STAT_PREFIX, globalRateLimitCounter } from "./egress-metrics";
import { KubernetesObject, ownedLabels } from "./kubernetes-object";
import type { PrometheusRuleGroup } from "./observability";
import { runbook } from "./runbooks";
import { dnsEgressRule, namespaceSelectorFor } from "./network-policy-peers";
import { tenantHttpLimits } from "./rate-limit-model";

/**
 * The optional cluster-wide limiter: envoyproxy/ratelimit backed by Redis, in the gateway namespace,
 * reachable only from the gateway pods (and Redis only from it). Its counts are exact across replicas;
 * when it cannot answer, the gateway fails open onto the local per-replica limits.
 */

export const RATE_LIMITER_NAME = "ratelimit";
export const REDIS_NAME = "ratelimit-redis";
export const RATE_LIMITER_GRPC_PORT = 8081;
const RATE_LIMITER_HTTP_PORT = 8080;
const REDIS_PORT = 6379;
/** Where the service reads its config: RUNTIME_ROOT/RUNTIME_SUBDIRECTORY/config. */
const RUNTIME_ROOT = "/data";
const RUNTIME_SUBDIRECTORY = "ratelimit";
/** The Envoy cluster the gateway calls the limiter through, added by a CLUSTER patch. */
export const RATE_LIMITER_CLUSTER = "mesh-egress-ratelimit";
const limiterLabels = { app: RATE_LIMITER_NAME };
const redisLabels = { app: REDIS_NAME };

function metadata(config: EgressConfig, name: string, extra: Record<string, string> = {}) {
  return {
    name,
    namespace: config.gateway.namespace,
    labels: ownedLabels({ [COMPONENT_LABEL]: "rate-limiter", ...extra }),
  };
}

export function rateLimiterHost(config: EgressConfig): string {
  return `${RATE_LIMITER_NAME}.${config.gateway.namespace}.svc.cluster.local`;
}

/** envoyproxy/ratelimit's own config format: one domain, a descriptor per tenant, nested ones per service. */
export function rateLimiterServiceConfig(
  config: EgressConfig,
  global: ParsedGlobalLimiter,
): Record<string, unknown> {
  const rateLimit = (l: { requests: number; per: string }) => ({
    unit: l.per,
    requests_per_unit: l.requests,
  });
  return {
    domain: global.domain,
    descriptors: tenantHttpLimits(config).map((tenant) => ({
      key: TENANT_KEY,
      value: tenant.tenant,
      ...(tenant.http ? { rate_limit: rateLimit(tenant.http) } : {}),
      ...(tenant.services.length > 0
        ? {
            descriptors: tenant.services.map((o) => ({
              key: SERVICE_KEY,
              value: o.service.name,
              rate_limit: rateLimit(o.http),
            })),
          }
        : {}),
    })),
  };
}

/** `envoy.filters.http.ratelimit`: asks the limiter, fails open (the local limits stay the floor). */
export function httpGlobalRateLimit(
  config: EgressConfig,
  global: ParsedGlobalLimiter,
): Record<string, unknown> {
  return {
    "@type": `${TYPE_URL}envoy.extensions.filters.http.ratelimit.v3.RateLimit`,
    domain: global.domain,
    // Its counters: cluster.<route target>;.ratelimit.<stat_prefix>.<counter>, exported by the gateway's proxyStatsMatcher.
    stat_prefix: GLOBAL_RATE_LIMIT_STAT_PREFIX,
    timeout: `${(global.timeoutMs / 1000).toFixed(3)}s`,
    // Fail open: an unreachable limiter must not stop all egress; the local buckets still apply.
    failure_mode_deny: false,
    filter_enabled: always(),
    filter_enforced: always(),
    enable_x_ratelimit_headers: "DRAFT_VERSION_03",
    response_headers_to_add: [
      {
        header: { key: RATE_LIMITED_HEADER, value: "global; cluster-wide egress rate limit for this tenant" },
        append_action: "OVERWRITE_IF_EXISTS_OR_ADD",
      },
    ],
    rate_limit_service: {
      grpc_service: {
        envoy_grpc: { cluster_name: RATE_LIMITER_CLUSTER, authority: rateLimiterHost(config) },
      },
      transport_api_version: "V3",
    },
    rate_limits: descriptorActions(config),
  };
}

/** The gRPC (HTTP/2) cluster the gateway reaches the limiter through. */
export function rateLimiterCluster(config: EgressConfig): Record<string, unknown> {
  return {
    name: RATE_LIMITER_CLUSTER,
    type: "STRICT_DNS",
    connect_timeout: "1s",
    lb_policy: "ROUND_ROBIN",
    typed_extension_protocol_options: {
      "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
        "@type": `${TYPE_URL}envoy.extensions.upstreams.http.v3.HttpProtocolOptions`,
        explicit_http_config: { http2_protocol_options: {} },
      },
    },
    load_assignment: {
      cluster_name: RATE_LIMITER_CLUSTER,
      endpoints: [
        {
          lb_endpoints: [
            {
              endpoint: {
                address: {
                  socket_address: { address: rateLimiterHost(config), port_value: RATE_LIMITER_GRPC_PORT },
                },
              },
            },
          ],
        },
      ],
    },
  };
}

/** The two patches the global limit adds: its filter (after the local one) and its cluster. */
export function globalRateLimitPatches(
  config: EgressConfig,
  global: ParsedGlobalLimiter,
): Record<string, unknown>[] {
  return [
    {
      applyTo: "HTTP_FILTER",
      match: beforeGatewayRouter(),
      patch: {
        operation: "INSERT_BEFORE",
        value: { name: HTTP_GLOBAL_RATE_LIMIT, typed_config: httpGlobalRateLimit(config, global) },
      },
    },
    {
      applyTo: "CLUSTER",
      match: { context: "GATEWAY" },
      patch: { operation: "ADD", value: rateLimiterCluster(config) },
    },
  ];
}

const restricted = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

function redisAddress(config: EgressConfig, global: ParsedGlobalLimiter): { env: Record<string, unknown>[] } {
  if ("deploy" in global.redis) {
    return {
      env: [
        {
          name: "REDIS_URL",
          value: `${REDIS_NAME}.${config.gateway.namespace}.svc.cluster.local:${REDIS_PORT}`,
        },
      ],
    };
  }
  return {
    env: [
      {
        name: "REDIS_URL",
        valueFrom: { secretKeyRef: { name: `${RATE_LIMITER_NAME}-redis-url`, key: "url" } },
      },
      { name: "REDIS_TLS", value: String(global.redis.existing.tls) },
    ],
  };
}

function limiterDeployment(config: EgressConfig, global: ParsedGlobalLimiter): KubernetesObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: metadata(config, RATE_LIMITER_NAME),
    spec: {
      replicas: global.replicas,
      selector: { matchLabels: { ...limiterLabels } },
      template: {
        metadata: {
          labels: { ...limiterLabels, ...ownedLabels({ [COMPONENT_LABEL]: "rate-limiter" }) },
          // Outside the mesh: the gateway calls it in plaintext gRPC, fenced by NetworkPolicy to the gateway pods.
          annotations: { "sidecar.istio.io/inject": "false" },
        },
        spec: {
          automountServiceAccountToken: false,
          containers: [
            {
              name: RATE_LIMITER_NAME,
              image: global.image,
              command: ["/bin/ratelimit"],
              env: [
                { name: "RUNTIME_ROOT", value: RUNTIME_ROOT },
                { name: "RUNTIME_SUBDIRECTORY", value: RUNTIME_SUBDIRECTORY },
                // A ConfigMap update swaps a symlink in the mounted directory: watch the directory, skip dotfiles.
                { name: "RUNTIME_WATCH_ROOT", value: "false" },
                { name: "RUNTIME_IGNOREDOTFILES", value: "true" },
                { name: "USE_STATSD", value: "false" },
                { name: "LOG_LEVEL", value: "warn" },
                { name: "REDIS_SOCKET_TYPE", value: "tcp" },
                ...redisAddress(config, global).env,
              ],
              ports: [
                { name: "grpc", containerPort: RATE_LIMITER_GRPC_PORT, protocol: "TCP" },
                { name: "http", containerPort: RATE_LIMITER_HTTP_PORT, protocol: "TCP" },
              ],
              readinessProbe: { httpGet: { path: "/healthcheck", port: RATE_LIMITER_HTTP_PORT } },
              resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { memory: "256Mi" } },
              // A numeric uid: the kubelet checks runAsNonRoot against it, whatever USER the image sets (or not).
              securityContext: { ...restricted, runAsUser: global.runAsUser, runAsGroup: global.runAsUser },
              // A directory mount: a subPath mount would never see ConfigMap updates.
              volumeMounts: [
                {
                  name: "config",
                  mountPath: `${RUNTIME_ROOT}/${RUNTIME_SUBDIRECTORY}/config`,
                  readOnly: true,
                },
              ],
            },
          ],
          volumes: [{ name: "config", configMap: { name: `${RATE_LIMITER_NAME}-config` } }],
        },
      },
    },
  };
}

function limiterConfigMap(config: EgressConfig, global: ParsedGlobalLimiter): KubernetesObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: metadata(config, `${RATE_LIMITER_NAME}-config`),
    data: { "config.yaml": stringify(rateLimiterServiceConfig(config, global), { lineWidth: 0 }) },
  };
}

function limiterService(config: EgressConfig): KubernetesObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: metadata(config, RATE_LIMITER_NAME),
    spec: {
      selector: { ...limiterLabels },
      ports: [
        {
          name: "grpc",
          port: RATE_LIMITER_GRPC_PORT,
          targetPort: RATE_LIMITER_GRPC_PORT,
          appProtocol: "grpc",
        },
      ],
    },
  };
}

function redisObjects(
  config: EgressConfig,
  redis: Extract<ParsedGlobalLimiter["redis"], { deploy: unknown }>["deploy"],
): KubernetesObject[] {
  return [
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: metadata(config, REDIS_NAME),
      spec: {
        replicas: 1,
        selector: { matchLabels: { ...redisLabels } },
        template: {
          metadata: {
            labels: { ...redisLabels, ...ownedLabels({ [COMPONENT_LABEL]: "rate-limiter" }) },
            annotations: { "sidecar.istio.io/inject": "false" },
          },
          spec: {
            automountServiceAccountToken: false,
            containers: [
              {
                name: "redis",
                image: redis.image,
                // Counters only: nothing to persist, so no disk and no snapshots.
                args: ["--save", "", "--appendonly", "no"],
                ports: [{ name: "redis", containerPort: REDIS_PORT, protocol: "TCP" }],
                readinessProbe: { tcpSocket: { port: REDIS_PORT } },
                // The declared resources, over these defaults.
                resources: {
                  requests: { cpu: "100m", memory: "128Mi", ...redis.resources?.requests },
                  limits: { memory: "512Mi", ...redis.resources?.limits },
                },
                // The official image has no USER (its entrypoint starts as root, then drops to 999): start as
                // that uid directly, so the kubelet's non-root check passes and the entrypoint skips the drop.
                securityContext: {
                  ...restricted,
                  readOnlyRootFilesystem: false,
                  runAsUser: redis.runAsUser,
                  runAsGroup: redis.runAsGroup,
                },
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: metadata(config, REDIS_NAME),
      spec: {
        selector: { ...redisLabels },
        ports: [{ name: "redis", port: REDIS_PORT, targetPort: REDIS_PORT, appProtocol: "redis" }],
      },
    },
  ];
}

/** The existing Redis's URL, filled from the Pulumi secret at `pulumi up`; rendered without it. */
function redisUrlSecret(config: EgressConfig): KubernetesObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      ...metadata(config, `${RATE_LIMITER_NAME}-redis-url`),
      annotations: {
        [PULUMI_SECRET_KEYS_ANNOTATION]: "url",
        [PULUMI_SECRET_SOURCE_ANNOTATION]: "url=mesh-egress:rateLimits.global.redis.existing.url",
      },
    },
    type: "Opaque",
  };
}

/** Only the gateway pods reach the limiter; the limiter reaches DNS and Redis only; Redis takes only the limiter. */
function networkPolicies(config: EgressConfig, global: ParsedGlobalLimiter): KubernetesObject[] {
  const gatewayPods = {
    namespaceSelector: namespaceSelectorFor(config.gateway.namespace),
    podSelector: { matchLabels: { ...GATEWAY_SELECTOR } },
  };
  const limiterPods = {
    namespaceSelector: namespaceSelectorFor(config.gateway.namespace),
    podSelector: { matchLabels: { ...limiterLabels } },
  };
  const grpc = [{ protocol: "TCP", port: RATE_LIMITER_GRPC_PORT }];
  const redisTo =
    "deploy" in global.redis
      ? {
          to: [
            {
              namespaceSelector: namespaceSelectorFor(config.gateway.namespace),
              podSelector: { matchLabels: { ...redisLabels } },
            },
          ],
          ports: [{ protocol: "TCP", port: REDIS_PORT }],
        }
      : {
          to: global.redis.existing.cidrs.map((cidr) => ({ ipBlock: { cidr } })),
          ports: [{ protocol: "TCP", port: global.redis.existing.port }],
        };
  const policies: KubernetesObject[] = [
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: metadata(config, RATE_LIMITER_NAME),
      spec: {
        podSelector: { matchLabels: { ...limiterLabels } },
        policyTypes: ["Ingress", "Egress"],
        ingress: [{ from: [gatewayPods], ports: grpc }],
        egress: [dnsEgressRule(config), redisTo],
      },
    },
    {
      // Additive to the gateway's own policy: one more destination, the limiter's gRPC port.
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: metadata(config, `${config.gateway.releaseName}-to-ratelimit`),
      spec: {
        podSelector: { matchLabels: { ...GATEWAY_SELECTOR } },
        policyTypes: ["Egress"],
        egress: [{ to: [limiterPods], ports: grpc }],
      },
    },
  ];
  if ("deploy" in global.redis) {
    policies.push({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: metadata(config, REDIS_NAME),
      spec: {
        podSelector: { matchLabels: { ...redisLabels } },
        policyTypes: ["Ingress", "Egress"],
        ingress: [{ from: [limiterPods], ports: [{ protocol: "TCP", port: REDIS_PORT }] }],
        egress: [],
      },
    });
  }
  return policies;
}

/** The limiter's alerts: no ready replica, and gateways letting requests through because it did not answer. */
export function rateLimiterRuleGroup(gateway: GatewayWorkload): PrometheusRuleGroup {
  const ns = gateway.namespace;
  return {
    name: "mesh-egress-rate-limiter",
    rules: [
      {
        alert: "EgressRateLimiterUnavailable",
        expr: `sum(kube_deployment_status_replicas_available{namespace="${ns}", deployment="${RATE_LIMITER_NAME}"}) < 1`,
        for: "2m",
        labels: { severity: "warning" },
        annotations: {
          summary: "The global egress rate limiter has no ready replica",
          description: `Gateways in ${ns} fail open onto their local per-replica limits: cluster-wide tenant limits are not enforced.`,
          runbook_url: runbook("egressratelimiterunavailable"),
        },
      },
      {
        alert: "EgressRateLimiterFailingOpen",
        expr: `${globalRateLimitCounter(gateway, "failure_mode_allowed", "rate", "5m")} > 0`,
        for: "5m",
        labels: { severity: "warning" },
        annotations: {
          summary: "Egress gateways cannot reach the global rate limiter and let requests through",
          description: `{{ $value | humanize }} requests/s in ${ns} pass on the local per-replica limits only: the limiter errored or timed out and the filter fails open.`,
          runbook_url: runbook("egressratelimiterfailingopen"),
        },
      },
    ],
  };
}

function limiterAlerts(config: EgressConfig): KubernetesObject {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: metadata(config, `${RATE_LIMITER_NAME}-alerts`),
    spec: { groups: [rateLimiterRuleGroup(config.gateway)] },
  };
}

/** Every object of the global limiter, in apply order. */
export function buildGlobalRateLimiterObjects(
  config: EgressConfig,
  global: ParsedGlobalLimiter,
): KubernetesObject[] {
  return [
    ...networkPolicies(config, global),
    ...("deploy" in global.redis ? redisObjects(config, global.redis.deploy) : [redisUrlSecret(config)]),
    limiterConfigMap(config, global),
    limiterService(config),
    limiterDeployment(config, global),
    limiterAlerts(config),
  ];
}
