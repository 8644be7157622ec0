import type { EgressConfig } from "../stacks/model/egress-config";
import {
  httpLocalRateLimitPatch,
  tenantChainLimitPatches,
  tlsConnectionLimitPatches,
} from "./envoy-filters/local-rate-limits";
import { buildGlobalRateLimiterObjects, globalRateLimitPatches } from "./global-rate-limiter";
import {
  COMPONENT_LABEL,
  FLEET_LIMITS_ANNOTATION,
  GATEWAY_SELECTOR,
  RATE_LIMIT_EXEMPT_ANNOTATION,
} from "../policy/contract";
import { KubernetesObject, ownedLabels } from "./kubernetes-object";
import { httpServices, serviceConnectionLimits, tenantConnectionLimits } from "./rate-limit-model";
import { httpFleetLimits, tlsFleetLimits } from "./fleet-limits";

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
  const tlsPatches = [
    ...tenantConnectionLimits(config).flatMap((limit) => tenantChainLimitPatches(limit, config)),
    ...serviceConnectionLimits(config).flatMap((limit) => tlsConnectionLimitPatches(limit, config)),
  ];
  if (tlsPatches.length > 0) {
    objects.push(
      envoyFilter(
        config,
        `${config.gateway.releaseName}-tls-connection-limits`,
        tlsPatches,
        tlsFleetLimits(config),
      ),
    );
  }
  if (global) objects.push(...buildGlobalRateLimiterObjects(config, global));
  return { objects };
}

/**
 * The decrypted Redis URL a limiter's Secret needs, for `pulumi up` only: render leaves the key out
 * and annotates the Secret with where it comes from.
 */
export function redisUrlSecretData(config: EgressConfig): Readonly<Record<string, string>> | undefined {
  const redis = config.rateLimits.global?.redis;
  if (!redis || !("existing" in redis)) return undefined;
  const url = redis.existing.url;
  if (url.state !== "decrypted") {
    throw new Error(
      "rateLimits.global.redis.existing.url is not available decrypted; only pulumi up (or preview) can read the Pulumi secret",
    );
  }
  return { url: url.value.reveal() };
}
