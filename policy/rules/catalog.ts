import { admissionGuardrailRules } from "./admission-guardrails";
import { authorizationRules } from "./authorization";
import { breakGlassRules } from "./break-glass";
import { certificateRules } from "./certificates";
import { envoyFilterRules } from "./envoy-filters";
import { gatewayIntegrityRules } from "./gateway-integrity";
import { multiClusterRules } from "./multi-cluster";
import { observabilityRules } from "./observability";
import { rateLimitRules } from "./rate-limits";
import { registryRules } from "./registry";
import { Rule } from "./rule";
import { tenantIsolationRules } from "./tenant-isolation";
import { tlsRules } from "./tls";

/** Every rule of the egress-guardrails pack, grouped by concern; CrossGuard and `mesh-egress lint` run these. */
export const allRules: readonly Rule[] = [
  ...registryRules,
  ...tenantIsolationRules,
  ...gatewayIntegrityRules,
  ...multiClusterRules,
  ...admissionGuardrailRules,
  ...authorizationRules,
  ...tlsRules,
  ...certificateRules,
  ...envoyFilterRules,
  ...rateLimitRules,
  ...observabilityRules,
  ...breakGlassRules,
];
