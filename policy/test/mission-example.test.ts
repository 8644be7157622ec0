import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadEnforcementLevels } from "../../cli/lint-command";
import { parseManifests } from "../../cli/read-manifests";
import { evaluate, Finding } from "../engine/evaluate";

/**
 * The example configuration of the mission document (egress-gateway-patterns.txt, steps 2, 3, 6, 7
 * and 8), written out as YAML: linting it must surface its real defects.
 */
const FIXTURE = path.join(__dirname, "fixtures", "mission-example.yaml");

function lintMissionExample(): { findings: Finding[]; gatewayNamespace?: string } {
  const objects = parseManifests(fs.readFileSync(FIXTURE, "utf8"), FIXTURE, false).map((o) => o.object);
  const { findings, mesh } = evaluate(objects, { levels: loadEnforcementLevels("prod") });
  return { findings, ...(mesh.gatewayNamespace ? { gatewayNamespace: mesh.gatewayNamespace } : {}) };
}

function findingOf(findings: Finding[], rule: string, kind: string, name: string): Finding {
  const found = findings.find((f) => f.rule === rule && f.kind === kind && f.name === name);
  assert.ok(
    found,
    `expected ${rule} on ${kind} ${name}; got:\n${findings.map((f) => `  ${f.rule}: ${f.message}`).join("\n")}`,
  );
  assert.equal(found.enforcement, "mandatory");
  return found;
}

describe("linting the mission document's example configuration", () => {
  const { findings, gatewayNamespace } = lintMissionExample();

  it("parses the seven objects of steps 2, 3, 6, 7 and 8", () => {
    const objects = parseManifests(fs.readFileSync(FIXTURE, "utf8"), FIXTURE, false);
    assert.deepEqual(
      objects.map((o) => o.object.kind),
      [
        "ServiceEntry",
        "Gateway",
        "VirtualService",
        "DestinationRule",
        "Sidecar",
        "AuthorizationPolicy",
        "EnvoyFilter",
      ],
    );
  });

  it("recognises istio-system as the gateway namespace from its Gateway", () => {
    assert.equal(gatewayNamespace, "istio-system");
  });

  it("flags the stripe AuthorizationPolicy rule that matches an HTTP host on TLS passthrough traffic", () => {
    const f = findingOf(
      findings,
      "gateway-authz-no-http-fields-on-tls",
      "AuthorizationPolicy",
      "egress-stripe-allowed-callers",
    );
    assert.match(
      f.message,
      /ALLOW rule 0 uses HTTP-only to\.operation\.hosts but api\.stripe\.com reaches the gateway as TLS/,
    );
  });

  it("flags the rate-limit EnvoyFilter whose HTTP filter has no HTTP listener to apply to", () => {
    const f = findingOf(
      findings,
      "envoy-filter-http-patch-applies",
      "EnvoyFilter",
      "egress-rate-limit-payments",
    );
    assert.match(f.message, /HTTP_FILTER.*carries only TLS passthrough or TCP traffic/);
  });

  it("flags the stripe ServiceEntry, exported to every namespace", () => {
    findingOf(findings, "service-entry-export-scoped", "ServiceEntry", "stripe-api");
  });

  it("flags the Gateway host that is not namespace-qualified", () => {
    const f = findingOf(
      findings,
      "gateway-server-hosts-namespace-qualified",
      "Gateway",
      "istio-egressgateway-stripe",
    );
    assert.match(f.message, /"api\.stripe\.com" is not namespace-qualified/);
  });

  it("flags the ISTIO_MUTUAL subset aimed at a PASSTHROUGH server", () => {
    findingOf(findings, "istio-mutual-subset-not-passthrough", "DestinationRule", "egressgateway-stripe");
  });

  it("flags the mesh route to the gateway that no gateway-side route continues", () => {
    findingOf(findings, "mesh-route-has-gateway-route", "VirtualService", "route-stripe-via-egressgateway");
  });

  it("flags the grant for auth0.com, which no ServiceEntry registers", () => {
    const f = findingOf(
      findings,
      "gateway-authz-hosts-registered",
      "AuthorizationPolicy",
      "egress-stripe-allowed-callers",
    );
    assert.match(f.message, /auth0\.com/);
  });

  it("flags the tenants' missing isolation: no explicit REGISTRY_ONLY, no Sidecar for auth, no default-deny egress", () => {
    findingOf(findings, "sidecar-registry-only", "Sidecar", "payments-egress");
    findingOf(findings, "sidecar-registry-only", "Namespace", "auth");
    findingOf(findings, "tenant-egress-default-deny", "Namespace", "payments");
    findingOf(findings, "tenant-egress-default-deny", "Namespace", "auth");
  });

  it("flags the gateway's unrestricted egress and missing access log", () => {
    findingOf(findings, "gateway-egress-excludes-internal-ranges", "Namespace", "istio-system");
    findingOf(findings, "gateway-access-logging-configured", "Namespace", "istio-system");
  });

  it("raises nothing it cannot back with evidence: no availability finding without a gateway deployment", () => {
    assert.ok(!findings.some((f) => f.rule.startsWith("gateway-ha-")));
    assert.ok(
      !findings.some((f) => f.rule === "service-entry-resolution-not-none"),
      "the ServiceEntry resolves by DNS",
    );
  });
});
