import { strict as assert } from "assert";
import { buildEgressAudit, egressAuditDocument, Observations } from "../cli/egress-audit";
import { formatCsv } from "../cli/report-document";
import { breakGlassConfig, entry, hoursFromNow } from "./support/break-glass-fixtures";

const CONTEXT = { source: "test", prometheus: "http://prometheus.test", window: "30d" };

/** Connections seen at the gateway, per tenant and destination; nothing else observed. */
function observedConnections(pairs: readonly [string, string, number][]): Observations {
  return {
    requests: [],
    connections: pairs.map(([tenant, destination, value]) => ({ tenant, destination, value })),
    egressBytes: [],
    denials: [],
    unregisteredConnections: [],
    unregisteredRequests: [],
  };
}

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

  it("keeps classifying it as break-glass once the entry expired, while the entry is still in the stack", () => {
    const config = breakGlassConfig({ breakGlass: [grant(hoursFromNow(-2))] });
    assert.deepEqual(config.breakGlass.active, []);
    const audit = buildEgressAudit(
      config,
      observedConnections([["assistant", "api.stripe.com", 12]]),
      CONTEXT,
    );
    assert.equal(audit.traffic[0].breakGlass, "stripe-for-assistant");
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
    const traffic = document.sections[0].table!;
    assert.equal(traffic.rows[0][traffic.columns.indexOf("declared")], "break-glass stripe-for-assistant");
    assert.match(formatCsv(document), /^break-glass stripe-for-assistant,assistant,api\.stripe\.com,/m);
  });
});
