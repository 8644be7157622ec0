import { gatewayAuthzDefaultDeny } from "./gateway-authz-default-deny";
import { gatewayAuthzNoAllowAll } from "./gateway-authz-no-allow-all";
import { gatewayAuthzRulesNameSources } from "./gateway-authz-rules-name-sources";
import { gatewayAuthzNoIdentityLessAdmission } from "./gateway-authz-no-identity-less-admission";
import { gatewayAuthzNoHttpFieldsOnTls } from "./gateway-authz-no-http-fields-on-tls";
import { gatewayAuthzHostsRegistered } from "./gateway-authz-hosts-registered";
import { gatewayAuthzHttpHostsAnyPort } from "./gateway-authz-http-hosts-any-port";
import { peerAuthenticationMtlsRequired } from "./peer-authentication-mtls-required";
import { Rule } from "../../engine/rule";

/** The authorization rules, in catalog order (docs/reference/rules.md and CrossGuard list them so). */
export const authorizationRules: readonly Rule[] = [
  gatewayAuthzDefaultDeny,
  gatewayAuthzNoAllowAll,
  gatewayAuthzRulesNameSources,
  gatewayAuthzNoIdentityLessAdmission,
  gatewayAuthzNoHttpFieldsOnTls,
  gatewayAuthzHostsRegistered,
  gatewayAuthzHttpHostsAnyPort,
  peerAuthenticationMtlsRequired,
];
