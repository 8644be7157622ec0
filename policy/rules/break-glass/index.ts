import { breakGlassExpiryValidRule } from "./break-glass-expiry-valid";
import { breakGlassExpiringSoonRule } from "./break-glass-expiring-soon";
import { breakGlassDirectHasTicket } from "./break-glass-direct-has-ticket";
import { breakGlassPublicEgressPortScoped } from "./break-glass-public-egress-port-scoped";
import { Rule } from "../../engine/rule";

/** The break-glass rules, in catalog order (docs/reference/rules.md and CrossGuard list them so). */
export const breakGlassRules: readonly Rule[] = [
  breakGlassExpiryValidRule,
  breakGlassExpiringSoonRule,
  breakGlassDirectHasTicket,
  breakGlassPublicEgressPortScoped,
];
