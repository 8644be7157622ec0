import { strict as assert } from "assert";
import { buildEgressAudit, egressAuditDocument, ObservedSegment } from "../cli/egress-audit";
import { formatCsv } from "../cli/report-document";
import { breakGlassConfig, entry, hoursFromNow } from "./support/break-glass-fixtures";

const CONTEXT = {
  source: "test",
  prometheus: "http://prometheus.test",
  window: "30d",
  readFrom: { series: "raw" as const, reason: "--source raw" },
};

/** Connections seen at the gateway between two hours relative to NOW, per tenant and destination; nothing else observed. */
function connectionsBetween(
  fromHours: number,
  toHours: number,
  pairs: readonly [string, string, number][],
): ObservedSegment {
  const none: never[] = [];
  return {
    from: hoursFromNow(fromHours),
    to: hoursFromNow(toHours),
    observations: {
      requests: none,
      connections: pairs.map(([tenant, destination, value]) => ({ tenant, destination, value })),
      egressBytes: none,
      denials: none,
      refusedRequests: none,
      refusedConnections: none,
      unregisteredConnections: none,
      unregisteredRequests: none,
    },
  };
}

/** The last hour before NOW. */
const observedConnections = (pairs: readonly [string, string, number][]) => [
  connectionsBetween(-1, 0, pairs),
];

const grant = (expiresAt: string) =>
  entry({
    id: "stripe-for-assistant",
    expiresAt,
    scope: { grant: { tenant: "assistant", service: "stripe" } },
  });

describe("audit of break-glass grants", () => {
  it("classifies traffic a grant covers as break-glass, not undeclared, and names the entry", () => {
    const config = breakGlassConfig({ breakGlass: [grant(hoursFromNow(6))] });
    const audit = buildEgressAudit(
      config,
      observedConnections([
        ["assistant", "api.stripe.com", 12],
        ["settlement", "api.stripe.com", 3],
      ]),
      CONTEXT,
    );
    const row = audit.traffic.find((r) => r.tenant === "assistant")!;
    assert.equal(row.declared, true);
    assert.equal(row.breakGlass, "stripe-for-assistant");
    assert.deepEqual(
      audit.undeclared.map((r) => r.tenant),
      ["settlement"],
    );
  });

  it("classifies traffic by the entry in force when it flowed: break-glass before the expiry, undeclared after it", () => {
    const config = breakGlassConfig({ breakGlass: [grant(hoursFromNow(-2))] });
    assert.deepEqual(config.breakGlass.active, []);
    const audit = buildEgressAudit(
      config,
      [
        connectionsBetween(-3, -2, [["assistant", "api.stripe.com", 12]]),
        connectionsBetween(-2, 0, [["assistant", "api.stripe.com", 5]]),
      ],
      CONTEXT,
    );
    assert.deepEqual(
      audit.traffic.map((r) => [r.breakGlass ?? `outside ${r.outsideBreakGlass}`, r.connections]),
      [
        ["stripe-for-assistant", 12],
        ["outside stripe-for-assistant", 5],
      ],
    );
    assert.deepEqual(
      audit.undeclared.map((r) => [r.tenant, r.destination, r.connections]),
      [["assistant", "api.stripe.com", 5]],
    );
  });

  it("calls traffic before the earliest instant the entry could have been rendered undeclared", () => {
    // prod allows 24 hours: an entry expiring in 6 hours was rendered 18 hours ago at the earliest.
    const config = breakGlassConfig({ breakGlass: [grant(hoursFromNow(6))] });
    const audit = buildEgressAudit(
      config,
      [connectionsBetween(-20, -18, [["assistant", "api.stripe.com", 3]])],
      CONTEXT,
    );
    assert.deepEqual(
      audit.undeclared.map((r) => [r.tenant, r.outsideBreakGlass, r.connections]),
      [["assistant", "stripe-for-assistant", 3]],
    );
  });

  it("classifies traffic to an expired destination grant's host, which no registered service holds, as break-glass while in force", () => {
    const config = breakGlassConfig({
      breakGlass: [
        entry({
          id: "status-page",
          expiresAt: hoursFromNow(-1),
          scope: {
            grant: {
              tenant: "assistant",
              destination: { host: "status.vendor.example", port: 443, mode: "passthrough-mtls" },
            },
          },
        }),
      ],
    });
    const audit = buildEgressAudit(
      config,
      [connectionsBetween(-2, -1, [["assistant", "status.vendor.example", 4]])],
      CONTEXT,
    );
    assert.deepEqual(
      audit.traffic.map((r) => [r.service, r.declared, r.breakGlass]),
      [["break-glass-status-page", true, "status-page"]],
    );
    assert.deepEqual(audit.undeclared, []);
  });

  it("calls the same traffic undeclared when no entry covers it", () => {
    const audit = buildEgressAudit(
      breakGlassConfig({}),
      observedConnections([["assistant", "api.stripe.com", 12]]),
      CONTEXT,
    );
    assert.equal(audit.traffic[0].breakGlass, undefined);
    assert.deepEqual(
      audit.undeclared.map((r) => `${r.tenant} ${r.destination}`),
      ["assistant api.stripe.com"],
    );
  });

  it("says break-glass and the entry in the traffic table and the CSV", () => {
    const config = breakGlassConfig({ breakGlass: [grant(hoursFromNow(6))] });
    const document = egressAuditDocument(
      buildEgressAudit(config, observedConnections([["assistant", "api.stripe.com", 12]]), CONTEXT),
    );
    const traffic = document.sections.find((s) => s.title.startsWith("Traffic at the gateway"))!.table!;
    assert.equal(traffic.rows[0][traffic.columns.indexOf("declared")], "break-glass stripe-for-assistant");
    assert.match(formatCsv(document), /^break-glass stripe-for-assistant,assistant,api\.stripe\.com,/m);
  });
});
