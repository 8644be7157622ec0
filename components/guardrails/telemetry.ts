import { Guardrail } from "./guardrail";

/** The egress alerts read the tenants' metrics and access logs: a tenant Telemetry may add to them, never turn them off. */
export function tenantTelemetryGuardrail(): Guardrail {
  const name = "tenant-telemetry";
  const entries = (field: string, ok: string) =>
    `(!has(object.spec.${field}) || object.spec.${field}.all(e, ${ok}))`;
  return {
    name,
    description:
      "A tenant Telemetry neither disables metrics or access logs, filters logs away, nor replaces their providers.",
    resourceRules: [{ apiGroups: ["telemetry.istio.io"], resources: ["telemetries"] }],
    scope: "tenants",
    validations: [
      {
        expression: entries(
          "metrics",
          "!has(e.providers) && !has(e.reportingInterval) && (!has(e.overrides) || e.overrides.all(o, !has(o.disabled) || !o.disabled))",
        ),
        message: `mesh-egress guardrail ${name}: a tenant Telemetry may not disable metrics (overrides[].disabled), stretch their reportingInterval or replace their providers: the egress alerts read them. Fix: remove the override; tag overrides are fine.`,
      },
      {
        expression: entries(
          "accessLogging",
          "!has(e.providers) && !(has(e.disabled) && e.disabled) && !has(e.filter)",
        ),
        message: `mesh-egress guardrail ${name}: a tenant Telemetry may not disable access logs, filter them or replace their providers: they are the egress audit trail. Fix: remove the accessLogging entry.`,
      },
    ],
  };
}
