import type { EgressConfig } from "../../stacks/model/egress-config";
import { parseEgressConfig, PROJECT_DIR } from "../../stacks/load-config";
import { readTextFile } from "../../stacks/shared-registry";
import { fourModeValues } from "./config-fixtures";

/** The identity `pulumi up` runs as in these stacks: the guardrails admit its break-glass NetworkPolicies. */
export const DEPLOYER = "system:serviceaccount:platform:pulumi-deployer";

/** The instant every break-glass test judges at. */
export const NOW = "2026-11-29T12:00:00Z";

/** RFC 3339 `hours` after NOW (negative: before). */
export function hoursFromNow(hours: number): string {
  return new Date(Date.parse(NOW) + hours * 3_600_000).toISOString().replace(/\.000Z$/, "Z");
}

/** A complete entry, scope and fields overridable. */
export function entry(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: "gw-outage",
    reason: "egress gateway down in eu-west-1",
    ticket: "INC-4711",
    approvedBy: "oncall-lead@example.com",
    expiresAt: hoursFromNow(6),
    scope: { direct: { tenants: ["payments"] } },
    ...overrides,
  };
}

/** fourModeValues plus the given break-glass keys; prod's guardrails (Deny) admit the deployer's NetworkPolicies. */
export function stackValues(
  extra: Record<string, unknown>,
  environment: "dev" | "prod" = "prod",
): Record<string, any> {
  return {
    ...fourModeValues(environment),
    guardrails: { breakGlassRequesters: [DEPLOYER] },
    ...extra,
  };
}

/** A validated config with the given break-glass keys, judged at `now` (NOW by default). */
export function breakGlassConfig(
  extra: Record<string, unknown>,
  environment: "dev" | "prod" = "prod",
  now: string = NOW,
): EgressConfig {
  return parseEgressConfig(stackValues(extra, environment), "test", PROJECT_DIR, readTextFile, new Date(now));
}
