import { BREAK_GLASS_LABEL, KIND, KubernetesObject, parseRfc3339 } from "../contract";
import { labelsOf } from "./object-fields";

/**
 * Break-glass: objects labelled with an entry id are time-bounded exceptions. The break-glass rules read the
 * labels, the annotations and the ports a public hole opens, so they judge a render and a live cluster alike. `now` is a setting
 * (`mesh-egress lint --now` fills it); without it, a rule reads the clock when it runs.
 */

/** The kinds an entry adds; lint also judges any other labelled kind it is given. */
export const BREAK_GLASS_KINDS = [
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

/** The `now` setting of the expiry rules: a fixed instant makes a review reproducible. */
export const NOW_SETTING = {
  type: "string",
  description:
    "RFC 3339 instant to judge expiries at (reproducible reviews); the clock at evaluation when unset.",
} as const;

/** The instant to judge an expiry at: the `now` setting, else the clock. */
export function instant(now: unknown): number {
  const fixed = typeof now === "string" ? parseRfc3339(now) : undefined;
  return fixed ?? Date.now();
}

/** A duration as a violation message states it: "3.5h". */
export const hours = (ms: number) => `${Math.round((ms / 3_600_000) * 10) / 10}h`;
