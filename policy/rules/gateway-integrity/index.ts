import { gatewayHaMinReplicas } from "./gateway-ha-min-replicas";
import { gatewayHaDisruptionBudget } from "./gateway-ha-disruption-budget";
import { gatewayHaZoneSpread } from "./gateway-ha-zone-spread";
import { gatewayServiceClusterIp } from "./gateway-service-cluster-ip";
import { gatewayEgressExcludesInternalRanges } from "./gateway-egress-excludes-internal-ranges";
import { gatewayEgressNarrowingEffective } from "./gateway-egress-narrowing-effective";
import { gatewaySelectorOnlyInPlatformNamespace } from "./gateway-selector-only-in-platform-namespace";
import { gatewayServerHostsNamespaceQualified } from "./gateway-server-hosts-namespace-qualified";
import { controlPlaneScopesGateways } from "./control-plane-scopes-gateways";
import { meshRoutesExternalHostsViaGateway } from "./mesh-routes-external-hosts-via-gateway";
import { gatewayRoutesToDeclaredHost } from "./gateway-routes-to-declared-host";
import { gatewayRoutesStripInternalHeaders } from "./gateway-routes-strip-internal-headers";
import { gatewayApiEgressInPlatform } from "./gateway-api-egress-in-platform";
import { gatewayServiceClusterLocal } from "./gateway-service-cluster-local";
import { admissionGuardrailsEnforcedRule } from "./admission-guardrails-enforced";
import { Rule } from "../../engine/rule";

/** The gateway-integrity rules, in catalog order (docs/reference/rules.md and CrossGuard list them so). */
export const gatewayIntegrityRules: readonly Rule[] = [
  gatewayHaMinReplicas,
  gatewayHaDisruptionBudget,
  gatewayHaZoneSpread,
  gatewayServiceClusterIp,
  gatewayEgressExcludesInternalRanges,
  gatewayEgressNarrowingEffective,
  gatewaySelectorOnlyInPlatformNamespace,
  gatewayServerHostsNamespaceQualified,
  controlPlaneScopesGateways,
  meshRoutesExternalHostsViaGateway,
  gatewayRoutesToDeclaredHost,
  gatewayRoutesStripInternalHeaders,
  gatewayApiEgressInPlatform,
  gatewayServiceClusterLocal,
  admissionGuardrailsEnforcedRule,
];
