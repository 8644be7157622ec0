import { gatewayEgressNarrowingEffective } from "../registry/pinned-service-entry-static";
import {
  gatewayHaDisruptionBudget,
  gatewayHaMinReplicas,
  gatewayHaZoneSpread,
} from "./gateway-ha-min-replicas";
import {
  gatewayEgressExcludesInternalRanges,
  gatewayServiceClusterIp,
} from "./gateway-egress-excludes-internal-ranges";
import {
  controlPlaneScopesGateways,
  gatewaySelectorOnlyInPlatformNamespace,
  gatewayServerHostsNamespaceQualified,
} from "./gateway-selector-only-in-platform-namespace";
import {
  gatewayRoutesStripInternalHeaders,
  gatewayRoutesToDeclaredHost,
  meshRoutesExternalHostsViaGateway,
} from "./mesh-routes-external-hosts-via-gateway";
import { gatewayApiEgressInPlatform } from "./gateway-api-egress-in-platform";
import { Rule } from "../../engine/rule";

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
