import { gatewayEgressNarrowingEffective } from "./address-pinning";
import { gatewayHaDisruptionBudget, gatewayHaMinReplicas, gatewayHaZoneSpread } from "./gateway-availability";
import { gatewayEgressExcludesInternalRanges, gatewayServiceClusterIp } from "./gateway-exposure";
import {
  controlPlaneScopesGateways,
  gatewaySelectorOnlyInPlatformNamespace,
  gatewayServerHostsNamespaceQualified,
} from "./gateway-hijack";
import {
  gatewayRoutesStripInternalHeaders,
  gatewayRoutesToDeclaredHost,
  meshRoutesExternalHostsViaGateway,
} from "./gateway-routing";
import { gatewayApiEgressInPlatform } from "./gateway-api-egress";
import { Rule } from "./rule";

/** The gateway-integrity rules, in catalog order: availability, exposure, hijack, routing. */
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
];
