import { envoyFilterHasWorkloadSelector } from "./envoy-filter-has-workload-selector";
import { envoyFilterHttpPatchApplies } from "./envoy-filter-http-patch-applies";
import { envoyFilterNoRemovalAtGateway } from "./envoy-filter-no-removal-at-gateway";
import { httpRateLimitOneChainPerPort } from "./http-rate-limit-one-chain-per-port";
import { localRateLimitEnforced } from "./local-rate-limit-enforced";
import { envoyFilterInGatewayNamespace } from "./envoy-filter-in-gateway-namespace";
import { tenantEgressRateLimited } from "./tenant-egress-rate-limited";
import { globalRateLimitHasLocalFloor } from "./global-rate-limit-has-local-floor";
import { Rule } from "../../engine/rule";

/** The envoy-filters rules, in catalog order (docs/reference/rules.md and CrossGuard list them so). */
export const envoyFiltersRules: readonly Rule[] = [
  envoyFilterHasWorkloadSelector,
  envoyFilterHttpPatchApplies,
  envoyFilterNoRemovalAtGateway,
  httpRateLimitOneChainPerPort,
  localRateLimitEnforced,
  envoyFilterInGatewayNamespace,
  tenantEgressRateLimited,
  globalRateLimitHasLocalFloor,
];
