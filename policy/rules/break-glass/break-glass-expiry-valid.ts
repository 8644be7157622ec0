import {
  BREAK_GLASS_LABEL,
  BREAK_GLASS_MAX_HOURS,
  BREAK_GLASS_SCOPE_LABEL,
  BREAK_GLASS_WARNING_HOURS,
  EXPIRES_AT_ANNOTATION,
  KIND,
  KubernetesObject,
  parseRfc3339,
  TICKET_ANNOTATION,
} from "../../contract";
import { annotationsOf, integer, labelsOf, text } from "../../mesh/object-fields";
import { ResourceRule, Violation, violation } from "../../engine/rule";

/**
 * Break-glass: objects labelled with an entry id are time-bounded exceptions. These rules read only
 * the labels and annotations, so they judge a render and a live cluster alike. `now` is a setting
 * (`mesh-egress lint --now` fills it); without it, the rule reads the clock when it runs.
 */

/** The kinds an entry adds; lint also judges any other labelled kind it is given. */
const BREAK_GLASS_KINDS = [
  KIND.NetworkPolicy,
  KIND.AdminNetworkPolicy,
  KIND.VirtualService,
  KIND.DestinationRule,
  KIND.AuthorizationPolicy,
  KIND.ServiceEntry,
  KIND.Gateway,
  KIND.Sidecar,
];

/** True for an object a break-glass entry added: other rules leave its exception to these. */
export function isBreakGlassObject(object: KubernetesObject): boolean {
  return (labelsOf(object)[BREAK_GLASS_LABEL] ?? "") !== "";
}

const NOW_SETTING = {
  type: "string",
  description:
    "RFC 3339 instant to judge expiries at (reproducible reviews); the clock at evaluation when unset.",
} as const;

function instant(now: unknown): number {
  const fixed = typeof now === "string" ? parseRfc3339(now) : undefined;
  return fixed ?? Date.now();
}

const hours = (ms: number) => `${Math.round((ms / 3_600_000) * 10) / 10}h`;

export function breakGlassExpiryValid(maxHours: number, now?: string): ResourceRule {
  return {
    name: "break-glass-expiry-valid",
    description:
      "Every object a break-glass entry added (label mesh-egress.io/break-glass) carries a valid RFC 3339 " +
      "mesh-egress.io/expires-at in the future and at most the tier's maximum away (prod 24h, dev 7 days): " +
      "an exception nobody remembers to remove is how egress controls die.",
    severity: "critical",
    concern: "break-glass",
    defaultEnforcement: "mandatory",
    availability: false,
    remediation:
      "Set mesh-egress.io/expires-at within the tier's maximum, or remove the expired exception (pulumi up after its expiry does).",
    kinds: BREAK_GLASS_KINDS,
    scope: "resource",
    settings: {
      schema: {
        maxHours: {
          type: "integer",
          minimum: 1,
          default: BREAK_GLASS_MAX_HOURS.prod,
          description: "The longest a break-glass exception may last, in hours.",
        },
        now: NOW_SETTING,
      },
      configure: (settings) =>
        breakGlassExpiryValid(integer(settings.maxHours) ?? BREAK_GLASS_MAX_HOURS.prod, text(settings.now)),
    },
    check(object: KubernetesObject): Violation[] {
      if (!isBreakGlassObject(object)) return [];
      const id = labelsOf(object)[BREAK_GLASS_LABEL];
      const written = annotationsOf(object)[EXPIRES_AT_ANNOTATION];
      const expiry = written === undefined ? undefined : parseRfc3339(written);
      if (expiry === undefined) {
        return [
          violation(
            object,
            written === undefined
              ? `is break-glass "${id}" without a ${EXPIRES_AT_ANNOTATION} annotation, so nothing ends it`
              : `is break-glass "${id}" with ${EXPIRES_AT_ANNOTATION} "${written}", which is not an RFC 3339 time`,
            `annotate ${EXPIRES_AT_ANNOTATION} with an RFC 3339 time at most ${maxHours}h ahead`,
          ),
        ];
      }
      const left = expiry - instant(now);
      if (left <= 0) {
        return [
          violation(
            object,
            `is break-glass "${id}", expired at ${written} (${hours(-left)} ago) and still present`,
            "run pulumi up so the expired exception is removed, or delete the object",
          ),
        ];
      }
      if (left > maxHours * 3_600_000) {
        return [
          violation(
            object,
            `is break-glass "${id}" expiring at ${written}, ${hours(left)} away: beyond the ${maxHours}h maximum`,
            `set ${EXPIRES_AT_ANNOTATION} at most ${maxHours}h ahead, and renew with a new approval if still needed`,
          ),
        ];
      }
      return [];
    },
  };
}

export function breakGlassExpiringSoon(now?: string): ResourceRule {
  return {
    name: "break-glass-expiring-soon",
    description: `A break-glass exception with less than ${BREAK_GLASS_WARNING_HOURS} hours left: decide now whether to let it expire or renew it with a new approval.`,
    severity: "low",
    concern: "break-glass",
    defaultEnforcement: "advisory",
    availability: false,
    remediation:
      "Fix the outage so the exception can expire, or declare a new entry with a new approval and expiry.",
    kinds: BREAK_GLASS_KINDS,
    scope: "resource",
    settings: {
      schema: { now: NOW_SETTING },
      configure: (settings) => breakGlassExpiringSoon(text(settings.now)),
    },
    check(object: KubernetesObject): Violation[] {
      if (!isBreakGlassObject(object)) return [];
      const written = annotationsOf(object)[EXPIRES_AT_ANNOTATION] ?? "";
      const expiry = parseRfc3339(written);
      if (expiry === undefined) return [];
      const left = expiry - instant(now);
      if (left <= 0 || left >= BREAK_GLASS_WARNING_HOURS * 3_600_000) return [];
      return [
        violation(
          object,
          `is break-glass "${labelsOf(object)[BREAK_GLASS_LABEL]}", expiring at ${written}: ${hours(left)} left`,
          "let it expire once the outage is over, or renew it with a new approval",
        ),
      ];
    },
  };
}

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

export const breakGlassRules = [
  breakGlassExpiryValid(BREAK_GLASS_MAX_HOURS.prod),
  breakGlassExpiringSoon(),
  breakGlassDirectHasTicket,
];
