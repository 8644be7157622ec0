import { HTTP_LOCAL_RATE_LIMIT, KIND, KubernetesObject } from "../../contract";
import { ResourceRule, Violation, violation } from "../../engine/rule";
import { addedFilters, notEnforcing } from "../../mesh/rate-limit-filters";

export const localRateLimitEnforced: ResourceRule = {
  name: "local-rate-limit-enforced",
  description:
    "Every HTTP local rate limit an EnvoyFilter adds is enabled and enforced for 100 % of requests. Envoy defaults `filter_enabled` and `filter_enforced` to 0 %: a filter without them " +
    "counts nothing and refuses nothing, while everyone believes egress is limited.",
  severity: "high",
  concern: "envoy-filters",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Set filter_enabled and filter_enforced to {default_value: {numerator: 100, denominator: HUNDRED}}.",
  kinds: [KIND.EnvoyFilter],
  scope: "resource",
  check(filter: KubernetesObject): Violation[] {
    // Without a typed_config Envoy refuses the filter outright: nothing to judge here.
    return addedFilters(filter, HTTP_LOCAL_RATE_LIMIT).flatMap(({ index, typedConfig }) => {
      const problem = typedConfig && notEnforcing(typedConfig);
      return problem
        ? [
            violation(
              filter,
              `patch ${index} adds ${HTTP_LOCAL_RATE_LIMIT} but ${problem}, so it limits nothing`,
              "set filter_enabled and filter_enforced to 100 % (numerator 100, denominator HUNDRED)",
            ),
          ]
        : [];
    });
  },
};
