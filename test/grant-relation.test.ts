import { strict as assert } from "assert";
import type { Grant } from "../stacks/model/egress-config";
import { partitionBreakGlass } from "../stacks/model/break-glass";
import { buildGrantRelation, directTenants, grantedServices } from "../stacks/relations/grants";
import { routedServices } from "../stacks/relations/temporary-services";
import { breakGlassConfig, entry, hoursFromNow, NOW } from "./support/break-glass-fixtures";
import { fourModeConfig } from "./support/config-fixtures";

/** A row as a line: tenant → service, and where it comes from. */
const line = (g: Grant): string =>
  `${g.tenant} → ${g.service.name} (${g.source.kind}${g.source.kind === "allow" ? "" : ` ${g.source.entry.id} until ${g.source.entry.expiresAt}`})`;

describe("the grant relation (stacks/relations/grants.ts), computed once at load", () => {
  it("has one allow row per tenant × service its allow list names, in tenant and allow-list order", () => {
    const config = fourModeConfig("dev");
    assert.deepEqual(config.grants.inForce.map(line), [
      "payments → stripe (allow)",
      "payments → idp (allow)",
      "assistant → openai (allow)",
      "settlement → partner (allow)",
    ]);
    assert.deepEqual(config.grants.expired, []);
  });

  it("adds an active grant entry's row, with its entry id and expiry, after the allow rows", () => {
    const until = hoursFromNow(6);
    const config = breakGlassConfig({
      breakGlass: [
        entry({
          id: "vendor-debug",
          expiresAt: until,
          scope: { grant: { tenant: "assistant", service: "stripe" } },
        }),
      ],
    });
    assert.deepEqual(config.grants.inForce.map(line), [
      "payments → stripe (allow)",
      "assistant → openai (allow)",
      "settlement → partner (allow)",
      `assistant → stripe (break-glass-grant vendor-debug until ${until})`,
    ]);
    assert.deepEqual(
      grantedServices({ namespace: "assistant" }, config).map((s) => s.name),
      ["stripe"],
    );
  });

  it("adds a direct entry's rows: each tenant it names × each service that tenant is allowed", () => {
    const until = hoursFromNow(2);
    const config = breakGlassConfig({
      breakGlass: [
        entry({
          id: "gw-outage",
          expiresAt: until,
          scope: { direct: { tenants: ["payments", "assistant"] } },
        }),
      ],
    });
    assert.deepEqual(config.grants.inForce.filter((g) => g.source.kind === "break-glass-direct").map(line), [
      `payments → stripe (break-glass-direct gw-outage until ${until})`,
      `assistant → openai (break-glass-direct gw-outage until ${until})`,
    ]);
    // The allow rows stay: direct changes the path, not who may reach what.
    assert.equal(config.grants.inForce.filter((g) => g.source.kind === "allow").length, 3);
    assert.deepEqual(directTenants({ name: "stripe" }, config), ["payments"]);
  });

  it("keeps an expired grant out of the rows in force, and lists it as expired", () => {
    const config = breakGlassConfig({
      breakGlass: [
        entry({
          id: "old-grant",
          expiresAt: hoursFromNow(-1),
          scope: { grant: { tenant: "assistant", service: "stripe" } },
        }),
      ],
    });
    assert.deepEqual(
      config.grants.inForce.map((g) => g.source.kind),
      ["allow", "allow", "allow"],
    );
    assert.deepEqual(config.grants.expired.map(line), [
      `assistant → stripe (break-glass-grant old-grant until ${hoursFromNow(-1)})`,
    ]);
  });

  it("keeps a grant destination's temporary service apart from the registry, and routes it after the registry's", () => {
    const config = breakGlassConfig({
      breakGlass: [
        entry({
          id: "new-partner",
          scope: {
            grant: {
              tenant: "assistant",
              destination: { host: "api.newpartner.example", mode: "originate" },
            },
          },
        }),
      ],
    });
    assert.deepEqual(
      config.services.map((s) => s.name),
      ["stripe", "openai", "partner"],
    );
    assert.deepEqual(
      config.temporaryServices.map((s) => [s.name, s.hosts, s.breakGlass]),
      [["break-glass-new-partner", ["api.newpartner.example"], "new-partner"]],
    );
    assert.deepEqual(
      routedServices(config).map((s) => s.name),
      ["stripe", "openai", "partner", "break-glass-new-partner"],
    );
    assert.deepEqual(config.grants.inForce.slice(-1).map(line), [
      `assistant → break-glass-new-partner (break-glass-grant new-partner until ${hoursFromNow(6)})`,
    ]);
  });

  it("keeps an expired destination's service out of the temporary services, but on its expired row", () => {
    const config = breakGlassConfig({
      breakGlass: [
        entry({
          id: "new-partner",
          expiresAt: hoursFromNow(-2),
          scope: {
            grant: {
              tenant: "assistant",
              destination: { host: "api.newpartner.example", mode: "originate" },
            },
          },
        }),
      ],
    });
    assert.deepEqual(config.temporaryServices, []);
    assert.deepEqual(
      config.grants.expired.map((g) => g.service.hosts),
      [["api.newpartner.example"]],
    );
  });

  it("gives no row to a name that resolves to no declared tenant or service (validation reports those)", () => {
    const stripe = fourModeConfig("dev").services[0];
    const relation = buildGrantRelation({
      tenants: [{ namespace: "payments", allow: ["stripe", "no-such-service"] }],
      services: [stripe],
      breakGlass: partitionBreakGlass([], "dev", undefined, new Date(NOW)),
      temporaryServices: new Map(),
    });
    assert.deepEqual(relation.inForce.map(line), ["payments → stripe (allow)"]);
  });
});
