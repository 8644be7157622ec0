import { admissionGuardrailRules } from "../rules/gateway-integrity/admission-guardrails-enforced";
import { authorizationRules } from "../rules/authorization/gateway-authz-no-http-fields-on-tls";
import { breakGlassRules } from "../rules/break-glass/break-glass-expiry-valid";
import { certificateRules } from "../rules/tls/client-certificate-max-lifetime";
import { envoyFilterRules } from "../rules/envoy-filters/envoy-filter-http-patch-applies";
import { gatewayIntegrityRules } from "../rules/gateway-integrity";
import { multiClusterRules } from "../rules/gateway-integrity/gateway-service-cluster-local";
import { observabilityRules } from "../rules/observability/gateway-access-logging-configured";
import { rateLimitRules } from "../rules/envoy-filters/tenant-egress-rate-limited";
import { registryRules } from "../rules/registry/service-entry-in-platform-namespace";
import { Rule } from "./rule";
import { tenantIsolationRules } from "../rules/tenant-isolation/sidecar-registry-only";
import { tlsRules } from "../rules/tls/origination-tls-not-disabled";

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
