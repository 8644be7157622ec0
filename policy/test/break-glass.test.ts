import * as assert from "node:assert/strict";
import { KubernetesObject } from "../contract";
import { breakGlassDirectHasTicket } from "../rules/break-glass/break-glass-direct-has-ticket";
import { breakGlassExpiringSoon } from "../rules/break-glass/break-glass-expiring-soon";
import { breakGlassExpiryValid } from "../rules/break-glass/break-glass-expiry-valid";
import { isBreakGlassObject } from "../mesh/break-glass-objects";
import { allRules } from "../engine/catalog";
import type { ResourceRule } from "../engine/rule";

const NOW = "2026-11-29T12:00:00Z";
const inHours = (hours: number) => new Date(Date.parse(NOW) + hours * 3_600_000).toISOString();

/** A break-glass object as the program renders it: labelled, annotated, expiring in 6 hours. */
function happyPath(
  overrides: { labels?: Record<string, string>; annotations?: Record<string, string | undefined> } = {},
): KubernetesObject {
  const annotations = Object.fromEntries(
    Object.entries({
      "mesh-egress.io/expires-at": inHours(6),
      "mesh-egress.io/reason": "gateway outage",
      "mesh-egress.io/ticket": "INC-4711",
      ...overrides.annotations,
    }).filter(([, v]) => v !== undefined),
  ) as Record<string, string>;
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: {
      name: "break-glass-outage",
      namespace: "payments",
      labels: {
        "mesh-egress.io/break-glass": "outage",
        "mesh-egress.io/break-glass-scope": "direct",
        ...overrides.labels,
      },
      annotations,
    },
    spec: { podSelector: {}, policyTypes: ["Egress"] },
  };
}

const valid = (maxHours = 24) => breakGlassExpiryValid(maxHours, NOW);
const messages = (object: KubernetesObject, rule = valid()) => rule.check(object).map((v) => v.message);

describe("break-glass rules, judged at a fixed now", () => {
  it("accept an object that expires within the maximum", () => {
    const object = happyPath();
    assert.deepEqual(messages(object), []);
    assert.deepEqual(messages(object, breakGlassExpiringSoon(NOW)), []);
    assert.deepEqual(messages(object, breakGlassDirectHasTicket), []);
  });

  it("judge nothing that carries no break-glass label", () => {
    const plain = happyPath({
      labels: { "mesh-egress.io/break-glass": "" },
      annotations: { "mesh-egress.io/expires-at": undefined },
    });
    assert.equal(isBreakGlassObject(plain), false);
    assert.deepEqual(messages(plain), []);
  });

  it("flag a break-glass object without an expiry, or with one that is not RFC 3339", () => {
    assert.match(
      messages(happyPath({ annotations: { "mesh-egress.io/expires-at": undefined } }))[0],
      /without a mesh-egress\.io\/expires-at annotation, so nothing ends it/,
    );
    assert.match(
      messages(happyPath({ annotations: { "mesh-egress.io/expires-at": "tomorrow" } }))[0],
      /"tomorrow", which is not an RFC 3339 time/,
    );
  });

  it("flag an expired object still present, and say how to remove it", () => {
    assert.deepEqual(messages(happyPath({ annotations: { "mesh-egress.io/expires-at": inHours(-3) } })), [
      `NetworkPolicy payments/break-glass-outage: is break-glass "outage", expired at ${inHours(-3)} (3h ago) and still present. Fix: run pulumi up so the expired exception is removed, or delete the object.`,
    ]);
  });

  it("flag an expiry beyond the tier maximum, which the policy config sets", () => {
    const object = happyPath({ annotations: { "mesh-egress.io/expires-at": inHours(30) } });
    assert.match(messages(object)[0], /30h away: beyond the 24h maximum/);
    assert.deepEqual(messages(object, valid(168)), []);
    const configured = valid().settings!.configure({ maxHours: 168, now: NOW }) as ResourceRule;
    assert.deepEqual(messages(object, configured), []);
  });

  it("advise when fewer than 2 hours are left, not before and not after expiry", () => {
    const soon = breakGlassExpiringSoon(NOW);
    assert.match(
      messages(happyPath({ annotations: { "mesh-egress.io/expires-at": inHours(1.5) } }), soon)[0],
      /1\.5h left/,
    );
    assert.deepEqual(
      messages(happyPath({ annotations: { "mesh-egress.io/expires-at": inHours(2) } }), soon),
      [],
    );
    assert.deepEqual(
      messages(happyPath({ annotations: { "mesh-egress.io/expires-at": inHours(-1) } }), soon),
      [],
    );
    assert.equal(soon.defaultEnforcement, "advisory");
  });

  it("require a ticket on objects that go around the gateway, not on grants", () => {
    const noTicket = { annotations: { "mesh-egress.io/ticket": " " } };
    assert.match(
      messages(happyPath(noTicket), breakGlassDirectHasTicket)[0],
      /around the gateway without a mesh-egress\.io\/ticket/,
    );
    const grant = happyPath({ ...noTicket, labels: { "mesh-egress.io/break-glass-scope": "grant" } });
    assert.deepEqual(messages(grant, breakGlassDirectHasTicket), []);
  });

  it("are in the pack", () => {
    const names = allRules.map((r) => r.name);
    for (const name of [
      "break-glass-expiry-valid",
      "break-glass-expiring-soon",
      "break-glass-direct-has-ticket",
    ]) {
      assert.ok(names.includes(name), name);
    }
  });
});
