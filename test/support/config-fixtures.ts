import { parseEgressConfig } from "../../stacks/load-config";
import type { EgressConfig } from "../../stacks/model/egress-config";
import { FIXTURE_ISSUER, mutualTlsFixture } from "./certificate-fixtures";

/** A validated config built from raw stack values, as a stack file would give them. */
export function configFrom(values: Record<string, unknown>): EgressConfig {
  return parseEgressConfig(values, "test");
}

/**
 * Stack values with one service of each mode, tenants with different allow lists and a limit per tenant
 * (prod requires one). Prod refuses plain passthrough, so the `idp` service exists in dev only.
 */
export function fourModeValues(environment: "dev" | "prod" = "dev"): Record<string, any> {
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
    rateLimits: {
      tenants: {
        payments: { tls: { connections: 10, per: "second", maxConcurrent: 50 } },
        assistant: { http: { requests: 30, per: "second", burst: 60 } },
        settlement: { http: { requests: 600, per: "minute" } },
      },
    },
  };
}

/** fourModeValues, validated. */
export function fourModeConfig(environment: "dev" | "prod" = "dev"): EgressConfig {
  return configFrom(fourModeValues(environment));
}
