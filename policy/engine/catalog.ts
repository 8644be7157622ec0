import { registryRules } from "../rules/registry";
import { tenantIsolationRules } from "../rules/tenant-isolation";
import { gatewayIntegrityRules } from "../rules/gateway-integrity";
import { authorizationRules } from "../rules/authorization";
import { tlsRules } from "../rules/tls";
import { envoyFiltersRules } from "../rules/envoy-filters";
import { observabilityRules } from "../rules/observability";
import { breakGlassRules } from "../rules/break-glass";
import { Rule } from "./rule";

/** Every rule of the egress-guardrails pack, grouped by concern; CrossGuard and `mesh-egress lint` run these. */
export const allRules: readonly Rule[] = [
  ...registryRules,
  ...tenantIsolationRules,
  ...gatewayIntegrityRules,
  ...authorizationRules,
  ...tlsRules,
  ...envoyFiltersRules,
  ...observabilityRules,
  ...breakGlassRules,
];
