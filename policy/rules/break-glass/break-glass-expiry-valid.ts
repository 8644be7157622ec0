import {
  BREAK_GLASS_LABEL,
  BREAK_GLASS_MAX_HOURS,
  EXPIRES_AT_ANNOTATION,
  KubernetesObject,
  parseRfc3339,
} from "../../contract";
import { annotationsOf, integer, labelsOf, text } from "../../mesh/object-fields";
import { ResourceRule, Violation, violation } from "../../engine/rule";
import {
  BREAK_GLASS_KINDS,
  NOW_SETTING,
  isBreakGlassObject,
  instant,
  hours,
} from "../../mesh/break-glass-objects";

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

/** The rule at its defaults, as the catalog lists it; `settings.configure` applies a policy config. */
export const breakGlassExpiryValidRule = breakGlassExpiryValid(BREAK_GLASS_MAX_HOURS.prod);
