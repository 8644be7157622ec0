import {
  BREAK_GLASS_LABEL,
  BREAK_GLASS_WARNING_HOURS,
  EXPIRES_AT_ANNOTATION,
  KubernetesObject,
  parseRfc3339,
} from "../../contract";
import { annotationsOf, labelsOf, text } from "../../mesh/object-fields";
import { ResourceRule, Violation, violation } from "../../engine/rule";
import {
  BREAK_GLASS_KINDS,
  NOW_SETTING,
  isBreakGlassObject,
  instant,
  hours,
} from "../../mesh/break-glass-objects";

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

/** The rule at its defaults, as the catalog lists it; `settings.configure` applies a policy config. */
export const breakGlassExpiringSoonRule = breakGlassExpiringSoon();
