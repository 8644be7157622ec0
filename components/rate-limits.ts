import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { EgressConfig } from "../stacks/egress-config";
import { httpLocalRateLimitPatch, tlsConnectionLimitPatches } from "./envoy-filters/local-rate-limits";
import { buildGlobalRateLimiterObjects, globalRateLimitPatches } from "./global-rate-limiter";
import { GATEWAY_SELECTOR } from "./gateway-endpoint";
import { COMPONENT_LABEL, KubernetesObject, ownedLabels } from "./kubernetes-object";
import { RATE_LIMIT_EXEMPT_ANNOTATION } from "../policy/rules/rate-limits";
import { PULUMI_SECRET_KEYS_ANNOTATION } from "./origination-certificates";
import { httpServices, serviceConnectionLimits, tenantHttpLimits } from "./rate-limit-model";
import { describeSizing, replicaShare } from "./rate-limit-sizing";
import { childName, registerKubernetesObject, upstreamOf } from "./register-manifests";

/** On each rate-limit EnvoyFilter: what the fleet admits per limit, given the HPA's bounds. */
export const FLEET_LIMITS_ANNOTATION = "mesh-egress.io/fleet-limits";

const labels = () => ownedLabels({ [COMPONENT_LABEL]: "rate-limits" });

function envoyFilter(
  config: EgressConfig,
  name: string,
  configPatches: Record<string, unknown>[],
  fleetLimits: readonly string[],
  exempt: readonly string[] = [],
): KubernetesObject {
  return {
    apiVersion: "networking.istio.io/v1alpha3",
    kind: "EnvoyFilter",
    metadata: {
      name,
      namespace: config.gateway.namespace,
      labels: labels(),
      annotations: {
        [FLEET_LIMITS_ANNOTATION]: fleetLimits.join("\n"),
        ...(exempt.length > 0 ? { [RATE_LIMIT_EXEMPT_ANNOTATION]: exempt.join("\n") } : {}),
      },
    },
    spec: { workloadSelector: { labels: { ...GATEWAY_SELECTOR } }, configPatches },
  };
}

/** One line per HTTP limit: the backstop, each tenant, each override, with the fleet-wide range it gives. */
export function httpFleetLimits(config: EgressConfig): string[] {
  const { replicas } = config.gateway;
  const sharing = config.rateLimits.replicaSharing;
  const size = (l: { requests: number; per: "second" | "minute" | "hour"; burst?: number }) =>
    describeSizing(
      { count: l.requests, per: l.per, ...(l.burst ? { burst: l.burst } : {}) },
      replicas,
      sharing,
    );
  return [
    `backstop (all requests): ${size(config.rateLimits.backstop.http)}`,
    ...tenantHttpLimits(config).flatMap((t) => [
      ...(t.http ? [`tenant ${t.tenant}: ${size(t.http)}`] : []),
      ...t.services.map((o) => `tenant ${t.tenant} → ${o.service.name}: ${size(o.http)}`),
    ]),
    ...config.tenants
      .filter((t) => config.rateLimits.tenants[t.namespace]?.unlimited)
      .map((t) => `tenant ${t.namespace}: unlimited (backstop only)`),
  ];
}

/** One line per TLS service: its connection limit (shared by its tenants) and open-connection cap. */
export function tlsFleetLimits(config: EgressConfig): string[] {
  const { replicas } = config.gateway;
  const sharing = config.rateLimits.replicaSharing;
  return serviceConnectionLimits(config).map(({ service, limit, source }) => {
    const from =
      source.kind === "tenants"
        ? `sum of tenants ${source.tenants.join(", ")}`
        : `backstop: ${source.because}`;
    const concurrent =
      limit.maxConcurrent !== undefined
        ? `; open connections ${limit.maxConcurrent} fleet-wide → ${replicaShare(limit.maxConcurrent, replicas, sharing)} per replica per host`
        : "";
    return (
      `service ${service.name} (${from}, not per tenant: Envoy has no per-source key at L4): new connections ` +
      `${describeSizing({ count: limit.connections, per: limit.per, ...(limit.burst ? { burst: limit.burst } : {}) }, replicas, sharing)}${concurrent}`
    );
  });
}

/** `<tenant>: <reason>` for each unlimited tenant, for reviewers and the policy pack. */
function unlimitedTenants(config: EgressConfig): string[] {
  return config.tenants.flatMap((t) => {
    const limits = config.rateLimits.tenants[t.namespace];
    return limits?.unlimited ? [`${t.namespace}: ${limits.reason}`] : [];
  });
}

export interface RateLimitManifests {
  /** EnvoyFilters at the gateway, then the global limiter's objects when enabled. */
  readonly objects: KubernetesObject[];
}

/** Every rate-limit object of the stack. Pure: same config, same objects. */
export function buildRateLimitManifests(config: EgressConfig): RateLimitManifests {
  const objects: KubernetesObject[] = [];
  const global = config.rateLimits.global;
  if (httpServices(config).length > 0) {
    objects.push(
      envoyFilter(
        config,
        `${config.gateway.releaseName}-http-rate-limits`,
        // Local first, then global: patches in one EnvoyFilter apply in order, both before the router.
        [httpLocalRateLimitPatch(config), ...(global ? globalRateLimitPatches(config, global) : [])],
        [
          ...httpFleetLimits(config),
          ...(global
            ? [`global: exact cluster-wide per-tenant limits in domain ${global.domain}, failing open`]
            : []),
        ],
        unlimitedTenants(config),
      ),
    );
  }
  const connectionLimits = serviceConnectionLimits(config);
  if (connectionLimits.length > 0) {
    objects.push(
      envoyFilter(
        config,
        `${config.gateway.releaseName}-tls-connection-limits`,
        connectionLimits.flatMap((limit) => tlsConnectionLimitPatches(limit, config)),
        tlsFleetLimits(config),
      ),
    );
  }
  if (global) objects.push(...buildGlobalRateLimiterObjects(config, global));
  return { objects };
}

/** Registers a rate-limit object; the Redis URL Secret gets its value from the decrypted Pulumi secret. */
function registerRateLimitObject(
  name: string,
  object: KubernetesObject,
  config: EgressConfig,
  opts: pulumi.CustomResourceOptions,
): pulumi.CustomResource {
  if (object.kind === "Secret" && object.metadata.annotations?.[PULUMI_SECRET_KEYS_ANNOTATION]) {
    const redis = config.rateLimits.global?.redis;
    const url = redis && "existing" in redis ? redis.existing.url : undefined;
    if (url?.state !== "decrypted") {
      throw new Error(
        "rateLimits.global.redis.existing.url is not available decrypted; only pulumi up (or preview) can read the Pulumi secret",
      );
    }
    return new k8s.core.v1.Secret(
      name,
      {
        metadata: object.metadata,
        type: object.type,
        stringData: pulumi.secret({ url: url.value.reveal() }),
      },
      { ...opts, additionalSecretOutputs: ["data", "stringData"] },
    );
  }
  return registerKubernetesObject(name, object, opts);
}

export interface RateLimitsArgs {
  /** The whole validated configuration: rate limits, gateway replicas and namespace, services, tenants. */
  readonly config: EgressConfig;
}

/** Per-tenant egress rate limits at the gateway (local, and optionally global). */
export class RateLimits extends pulumi.ComponentResource {
  constructor(name: string, args: RateLimitsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-egress:index:RateLimits", name, {}, opts);
    for (const object of buildRateLimitManifests(args.config).objects) {
      registerRateLimitObject(childName(name, object), object, args.config, {
        parent: this,
        dependsOn: upstreamOf(opts),
      });
    }
    this.registerOutputs({});
  }
}
