import { HTTP_GLOBAL_RATE_LIMIT, HTTP_LOCAL_RATE_LIMIT, KIND, KubernetesObject } from "../../contract";
import { MeshTopology } from "../../mesh/mesh-topology";
import { StackRule, Violation, violation } from "../../engine/rule";
import { gatewayFilters, addedFilters, notEnforcing } from "../../mesh/rate-limit-filters";

export const globalRateLimitHasLocalFloor: StackRule = {
  name: "global-rate-limit-has-local-floor",
  description:
    "A global rate limit at the egress gateway (envoy.filters.http.ratelimit) that fails open " +
    "(`failure_mode_deny: false`, Envoy's default) is paired with an enforced HTTP local rate limit at the " +
    "gateway that has a default token bucket (a backstop over all requests, not only the tenants it names). When " +
    "the limiter is unreachable every request passes; the local buckets are then the only limit.",
  severity: "medium",
  concern: "envoy-filters",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Keep the local rate limit (mesh-egress renders one whenever a service originates TLS) beside the global one.",
  kinds: [KIND.EnvoyFilter],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const filters = gatewayFilters(objects, mesh);
    const floor = filters
      .flatMap((f) => addedFilters(f, HTTP_LOCAL_RATE_LIMIT))
      .some(
        (a) =>
          a.typedConfig !== undefined &&
          notEnforcing(a.typedConfig) === undefined &&
          (a.typedConfig.token_bucket ?? a.typedConfig.tokenBucket) !== undefined,
      );
    if (floor) return [];
    return filters.flatMap((f) =>
      addedFilters(f, HTTP_GLOBAL_RATE_LIMIT)
        .filter((a) => (a.typedConfig?.failure_mode_deny ?? a.typedConfig?.failureModeDeny) !== true)
        .map((a) =>
          violation(
            f,
            `patch ${a.index} adds a global rate limit that fails open, and no enforced local rate limit with a default token bucket stays as the floor at the gateway when the limiter is unreachable`,
            "keep an envoy.filters.http.local_ratelimit at the gateway with filter_enabled and filter_enforced at 100 % and a token_bucket",
          ),
        ),
    );
  },
};
