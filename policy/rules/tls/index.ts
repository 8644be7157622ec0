import { originationTlsNotDisabled } from "./origination-tls-not-disabled";
import { destinationRuleNoInsecureSkipVerify } from "./destination-rule-no-insecure-skip-verify";
import { originationTlsSniAndSans } from "./origination-tls-sni-and-sans";
import { originationRuleGatewayOnly } from "./origination-rule-gateway-only";
import { istioMutualSubsetNotPassthrough } from "./istio-mutual-subset-not-passthrough";
import { meshRouteHasGatewayRoute } from "./mesh-route-has-gateway-route";
import { gatewayDestinationRuleNotShadowed } from "./gateway-destination-rule-not-shadowed";
import { certificateKeyStrength } from "./certificate-key-strength";
import { clientCertificateMaxLifetimeRule } from "./client-certificate-max-lifetime";
import { mutualOriginationCredentialProvided } from "./mutual-origination-credential-provided";
import { mutualOriginationServerRootsProvided } from "./mutual-origination-server-roots-provided";
import { issuerKeysOutsideGatewayNamespace } from "./issuer-keys-outside-gateway-namespace";
import { Rule } from "../../engine/rule";

/** The tls rules, in catalog order (docs/reference/rules.md and CrossGuard list them so). */
export const tlsRules: readonly Rule[] = [
  originationTlsNotDisabled,
  destinationRuleNoInsecureSkipVerify,
  originationTlsSniAndSans,
  originationRuleGatewayOnly,
  istioMutualSubsetNotPassthrough,
  meshRouteHasGatewayRoute,
  gatewayDestinationRuleNotShadowed,
  certificateKeyStrength,
  clientCertificateMaxLifetimeRule,
  mutualOriginationCredentialProvided,
  mutualOriginationServerRootsProvided,
  issuerKeysOutsideGatewayNamespace,
];
