import type { EgressConfig } from "../../stacks/egress-config";
import { parseEgressConfig, PROJECT_DIR } from "../../stacks/load-config";
import { readTextFile } from "../../stacks/shared-registry";
import { FIXTURE_ISSUER, mutualTlsFixture } from "./certificate-fixtures";

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

/**
 * Stack values with one service of each mode (as fourModeConfig) plus the given break-glass keys; prod
 * refuses plain passthrough, so its `idp` service exists in dev only.
 */
export function stackValues(extra: Record<string, unknown>, environment: "dev" | "prod" = "prod") {
  const dev = environment === "dev";
  return {
    environment,
    issuers: [FIXTURE_ISSUER],
    services: [
      { name: "stripe", hosts: ["api.stripe.com"], mode: "passthrough-mtls" },
      ...(dev ? [{ name: "idp", hosts: ["login.example.com"], mode: "passthrough" }] : []),
      { name: "openai", hosts: ["api.openai.com"], mode: "originate" },
      {
        name: "partner",
        hosts: ["api.partner.example"],
        mode: "originate-mutual",
        tls: {
          credentialName: "partner-client",
          subjectAltNames: ["api.partner.example"],
          ...mutualTlsFixture("acme-egress"),
        },
      },
    ],
    tenants: [
      { namespace: "payments", allow: dev ? ["stripe", "idp"] : ["stripe"] },
      { namespace: "assistant", allow: ["openai"] },
      { namespace: "settlement", allow: ["partner"] },
    ],
    // Prod's guardrails (Deny) admit break-glass NetworkPolicies from the deployer only.
    guardrails: { breakGlassRequesters: [DEPLOYER] },
    // Prod requires a limit per tenant (as fourModeConfig).
    rateLimits: {
      tenants: {
        payments: { tls: { connections: 10, per: "second", maxConcurrent: 50 } },
        assistant: { http: { requests: 30, per: "second", burst: 60 } },
        settlement: { http: { requests: 600, per: "minute" } },
      },
    },
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
