import {
  BREAK_GLASS_LABEL,
  BREAK_GLASS_SCOPE_LABEL,
  KubernetesObject,
  TICKET_ANNOTATION,
} from "../../contract";
import { annotationsOf, labelsOf } from "../../mesh/object-fields";
import { ResourceRule, Violation, violation } from "../../engine/rule";
import { BREAK_GLASS_KINDS, isBreakGlassObject } from "../../mesh/break-glass-objects";

export const breakGlassDirectHasTicket: ResourceRule = {
  name: "break-glass-direct-has-ticket",
  description:
    "A break-glass exception that sends tenants around the gateway (scope direct) names the ticket that " +
    "approved it (mesh-egress.io/ticket): no authorization, access log or rate limit applies to that traffic.",
  severity: "high",
  concern: "break-glass",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Annotate mesh-egress.io/ticket with the incident or change ticket that approved the exception.",
  kinds: BREAK_GLASS_KINDS,
  scope: "resource",
  check(object: KubernetesObject): Violation[] {
    if (!isBreakGlassObject(object) || labelsOf(object)[BREAK_GLASS_SCOPE_LABEL] !== "direct") return [];
    if ((annotationsOf(object)[TICKET_ANNOTATION] ?? "").trim() !== "") return [];
    return [
      violation(
        object,
        `is break-glass "${labelsOf(object)[BREAK_GLASS_LABEL]}" around the gateway without a ${TICKET_ANNOTATION}`,
        `annotate ${TICKET_ANNOTATION} with the ticket that approved it`,
      ),
    ];
  },
};
