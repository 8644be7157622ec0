import * as assert from "node:assert/strict";
import { gatewayAuthzDefaultDeny } from "../rules/authorization/gateway-authz-default-deny";
import { gatewayAuthzHostsRegistered } from "../rules/authorization/gateway-authz-hosts-registered";
import { gatewayAuthzHttpHostsAnyPort } from "../rules/authorization/gateway-authz-http-hosts-any-port";
import { gatewayAuthzNoAllowAll } from "../rules/authorization/gateway-authz-no-allow-all";
import { gatewayAuthzNoHttpFieldsOnTls } from "../rules/authorization/gateway-authz-no-http-fields-on-tls";
import { gatewayAuthzNoIdentityLessAdmission } from "../rules/authorization/gateway-authz-no-identity-less-admission";
import { gatewayAuthzRulesNameSources } from "../rules/authorization/gateway-authz-rules-name-sources";
import { peerAuthenticationMtlsRequired } from "../rules/authorization/peer-authentication-mtls-required";
import { KubernetesObject } from "../contract";
import { compliantPlatform, find, GATEWAY_NS, Mutable } from "./compliant-platform";
import { assertOnlyRuleFires, assertRulePasses, rulesFired } from "./rule-harness";

/** Tenant payments' rules in order: stripe (passthrough-mtls, by SNI), partner (originate-mutual, by host). */
const paymentsRules = (objects: KubernetesObject[]): Mutable[] =>
  find(objects, "AuthorizationPolicy", "tenant-payments", GATEWAY_NS).spec.rules;

function authorizationPolicy(
  name: string,
  namespace: string,
  spec: Record<string, unknown>,
): KubernetesObject {
  return {
    apiVersion: "security.istio.io/v1",
    kind: "AuthorizationPolicy",
    metadata: { name, namespace },
    spec,
  };
}

describe("authorization rules", () => {
  describe("gateway-authz-default-deny", () => {
    it("accepts a gateway that ALLOW policies select", () => {
      assertRulePasses(compliantPlatform(), gatewayAuthzDefaultDeny);
    });

    it("flags a gateway that no AuthorizationPolicy selects", () => {
      const objects = compliantPlatform().filter((o) => o.kind !== "AuthorizationPolicy");
      const [f] = assertOnlyRuleFires(objects, gatewayAuthzDefaultDeny);
      assert.deepEqual([f?.kind, f?.name], ["Namespace", GATEWAY_NS]);
    });

    it("flags ALLOW policies whose selectors no longer pick the gateway", () => {
      const objects = compliantPlatform();
      for (const p of objects.filter((o) => o.kind === "AuthorizationPolicy")) {
        (p.spec as Mutable).selector = { matchLabels: { app: "something-else" } };
      }
      assertOnlyRuleFires(objects, gatewayAuthzDefaultDeny);
    });

    it("accepts an allow-nothing policy as the gateway's default deny", () => {
      const objects = compliantPlatform().filter((o) => o.kind !== "AuthorizationPolicy");
      objects.push(
        authorizationPolicy("allow-nothing", GATEWAY_NS, {
          selector: { matchLabels: { istio: "egressgateway" } },
        }),
      );
      assertRulePasses(objects, gatewayAuthzDefaultDeny);
    });
  });

  describe("gateway-authz-no-allow-all", () => {
    it("accepts per-tenant rules that name source and destination", () => {
      assertRulePasses(compliantPlatform(), gatewayAuthzNoAllowAll);
    });

    it("flags an ALLOW rule {} at the gateway", () => {
      const objects = compliantPlatform();
      paymentsRules(objects).push({});
      const [f] = assertOnlyRuleFires(objects, gatewayAuthzNoAllowAll);
      assert.match(f?.message ?? "", /ALLOW rule 2 matches every request/);
    });

    it("flags a mesh-wide allow-all policy in the root namespace", () => {
      const objects = compliantPlatform();
      objects.push(authorizationPolicy("allow-everything", "istio-system", { action: "ALLOW", rules: [{}] }));
      assertOnlyRuleFires(objects, gatewayAuthzNoAllowAll);
    });

    it("flags a rule whose only source and operation are empty", () => {
      const objects = compliantPlatform();
      objects.push(
        authorizationPolicy("sloppy", GATEWAY_NS, {
          rules: [{ from: [{ source: {} }], to: [{ operation: {} }] }],
        }),
      );
      assertOnlyRuleFires(objects, gatewayAuthzNoAllowAll);
    });

    it("does not flag spec {}, which Istio treats as allow-nothing", () => {
      const objects = compliantPlatform();
      objects.push(authorizationPolicy("allow-nothing", GATEWAY_NS, {}));
      assert.deepEqual(rulesFired(objects), []);
    });

    it("does not flag a deny-all policy", () => {
      const objects = compliantPlatform();
      objects.push(authorizationPolicy("deny-all", GATEWAY_NS, { action: "DENY", rules: [{}] }));
      assert.deepEqual(rulesFired(objects), []);
    });
  });

  describe("gateway-authz-rules-name-sources", () => {
    it("accepts namespaces as named sources", () => {
      assertRulePasses(compliantPlatform(), gatewayAuthzRulesNameSources);
    });

    it("flags a from entry that only excludes principals, which names nobody", () => {
      const objects = compliantPlatform();
      paymentsRules(objects)[1].from = [{ source: { notPrincipals: ["cluster.local/ns/support/sa/bot"] } }];
      const [f] = assertOnlyRuleFires(objects, gatewayAuthzRulesNameSources);
      assert.match(f?.message ?? "", /rule 1 does not name its sources/);
    });

    it("flags an ALLOW rule without from", () => {
      const objects = compliantPlatform();
      delete paymentsRules(objects)[1].from;
      const [f] = assertOnlyRuleFires(objects, gatewayAuthzRulesNameSources);
      assert.match(f?.message ?? "", /rule 1 does not name its sources/);
    });

    it("flags a from entry that only excludes namespaces", () => {
      const objects = compliantPlatform();
      paymentsRules(objects)[1].from = [{ source: { notNamespaces: ["support"] } }];
      assertOnlyRuleFires(objects, gatewayAuthzRulesNameSources);
    });

    for (const source of [{ namespaces: ["*"] }, { principals: ["*"] }, { ipBlocks: ["0.0.0.0/0"] }]) {
      it(`flags a source that names everyone: ${JSON.stringify(source)}`, () => {
        const objects = compliantPlatform();
        paymentsRules(objects)[1].from = [{ source }];
        assertOnlyRuleFires(objects, gatewayAuthzRulesNameSources);
      });
    }

    it("flags a second, empty from entry that broadens a named one", () => {
      const objects = compliantPlatform();
      paymentsRules(objects)[0].from.push({ source: {} });
      assertOnlyRuleFires(objects, gatewayAuthzRulesNameSources);
    });
  });

  describe("gateway-authz-http-hosts-any-port", () => {
    it("accepts HTTP rules that list each host bare and as <host>:*", () => {
      assertRulePasses(compliantPlatform(), gatewayAuthzHttpHostsAnyPort);
    });

    it("flags a rule listing only the bare host, which denies Host: <host>:80", () => {
      const objects = compliantPlatform();
      const operation = paymentsRules(objects)[1].to[0].operation;
      operation.hosts = operation.hosts.filter((h: string) => !h.endsWith(":*"));
      const [f] = assertOnlyRuleFires(objects, gatewayAuthzHttpHostsAnyPort);
      assert.match(
        f?.message ?? "",
        /rule 1 lists api\.partner\.example\.com without both the bare and the `:\*` form/,
      );
    });

    it("flags a rule listing only one spelled-out port", () => {
      const objects = compliantPlatform();
      const operation = paymentsRules(objects)[1].to[0].operation;
      operation.hosts = ["api.partner.example.com:443"];
      assertOnlyRuleFires(objects, gatewayAuthzHttpHostsAnyPort);
    });
  });

  describe("gateway-authz-no-identity-less-admission", () => {
    it("accepts per-tenant rules that name their source namespaces", () => {
      assertRulePasses(compliantPlatform(), gatewayAuthzNoIdentityLessAdmission);
    });

    it("flags a rule admitting connections without a mesh identity, as plain passthrough did", () => {
      const objects = compliantPlatform();
      paymentsRules(objects)[0].from = [{ source: { notPrincipals: ["*"] } }];
      const [f] = assertOnlyRuleFires(objects, gatewayAuthzNoIdentityLessAdmission);
      assert.match(f?.message ?? "", /rule 0 admits connections without a mesh identity/);
    });

    it("flags an identity-less entry added beside a named one", () => {
      const objects = compliantPlatform();
      paymentsRules(objects)[0].from.push({ source: { notPrincipals: ["*"] } });
      assertOnlyRuleFires(objects, gatewayAuthzNoIdentityLessAdmission);
    });
  });

  describe("gateway-authz-no-http-fields-on-tls", () => {
    it("accepts SNI rules for TLS services and host rules for originated HTTP", () => {
      assertRulePasses(compliantPlatform(), gatewayAuthzNoHttpFieldsOnTls);
    });

    it("flags a host match for a passthrough-mtls service", () => {
      const objects = compliantPlatform();
      const rule = paymentsRules(objects)[0];
      delete rule.when;
      rule.to = [{ operation: { hosts: ["api.stripe.com"] } }];
      const [f] = assertOnlyRuleFires(objects, gatewayAuthzNoHttpFieldsOnTls);
      assert.match(
        f?.message ?? "",
        /HTTP-only to\.operation\.hosts but api\.stripe\.com reaches the gateway as TLS/,
      );
      assert.match(f?.message ?? "", /silently denied/);
    });

    it("flags methods on a rule keyed on connection.sni", () => {
      const objects = compliantPlatform();
      paymentsRules(objects)[0].to[0].operation.methods = ["GET"];
      assertOnlyRuleFires(objects, gatewayAuthzNoHttpFieldsOnTls);
    });

    it("flags a DENY rule with paths on passthrough traffic, which would deny more than written", () => {
      const objects = compliantPlatform();
      objects.push(
        authorizationPolicy("no-admin", GATEWAY_NS, {
          selector: { matchLabels: { istio: "egressgateway" } },
          action: "DENY",
          rules: [{ to: [{ operation: { hosts: ["api.github.com"], paths: ["/admin/*"] } }] }],
        }),
      );
      const [f] = assertOnlyRuleFires(objects, gatewayAuthzNoHttpFieldsOnTls);
      assert.match(f?.message ?? "", /denies more than written/);
    });

    it("flags request header conditions on TLS traffic", () => {
      const objects = compliantPlatform();
      paymentsRules(objects)[0].when.push({ key: "request.headers[x-tenant]", values: ["payments"] });
      assertOnlyRuleFires(objects, gatewayAuthzNoHttpFieldsOnTls);
    });

    it("accepts methods and paths for an originated HTTP service", () => {
      const objects = compliantPlatform();
      Object.assign(paymentsRules(objects)[1].to[0].operation, { methods: ["POST"], paths: ["/v1/*"] });
      assertRulePasses(objects, gatewayAuthzNoHttpFieldsOnTls);
    });
  });

  describe("gateway-authz-hosts-registered", () => {
    it("accepts rules whose hosts all have ServiceEntries", () => {
      assertRulePasses(compliantPlatform(), gatewayAuthzHostsRegistered);
    });

    it("flags a host that no ServiceEntry registers", () => {
      const objects = compliantPlatform();
      paymentsRules(objects)[1].to[0].operation.hosts = ["api.partner.example.org"];
      const [f] = assertOnlyRuleFires(objects, gatewayAuthzHostsRegistered);
      assert.match(f?.message ?? "", /api\.partner\.example\.org, which no ServiceEntry registers/);
    });

    it("flags an SNI value that no ServiceEntry registers", () => {
      const objects = compliantPlatform();
      paymentsRules(objects)[0].when[0].values = ["api.strpe.com"];
      assertOnlyRuleFires(objects, gatewayAuthzHostsRegistered);
    });

    const tenantSni = "payments.api.stripe.com.mesh-egress.invalid";

    it("accepts a tenant's own SNI that a gateway-bound VirtualService lists beside the registered host", () => {
      const objects = compliantPlatform();
      paymentsRules(objects)[0].when[0].values = [tenantSni];
      find(objects, "VirtualService", "egress-stripe").spec.hosts.push(tenantSni);
      assertRulePasses(objects, gatewayAuthzHostsRegistered);
    });

    it("flags a tenant SNI that no gateway route ties to a registered host", () => {
      const objects = compliantPlatform();
      paymentsRules(objects)[0].when[0].values = [tenantSni];
      const [f] = assertOnlyRuleFires(objects, gatewayAuthzHostsRegistered);
      assert.match(
        f?.message ?? "",
        /payments\.api\.stripe\.com\.mesh-egress\.invalid, which no ServiceEntry registers/,
      );
    });
  });

  describe("peer-authentication-mtls-required", () => {
    const peerAuthentication = (namespace: string, spec: Record<string, unknown>): KubernetesObject => ({
      apiVersion: "security.istio.io/v1",
      kind: "PeerAuthentication",
      metadata: { name: "default", namespace },
      spec,
    });

    it("accepts STRICT mTLS", () => {
      const objects = compliantPlatform();
      objects.push(peerAuthentication(GATEWAY_NS, { mtls: { mode: "STRICT" } }));
      assertRulePasses(objects, peerAuthenticationMtlsRequired);
    });

    for (const [namespace, mode] of [
      [GATEWAY_NS, "PERMISSIVE"],
      ["istio-system", "PERMISSIVE"],
      ["payments", "DISABLE"],
    ] as const) {
      it(`flags ${mode} in ${namespace}`, () => {
        const objects = compliantPlatform();
        objects.push(peerAuthentication(namespace, { mtls: { mode } }));
        const [f] = assertOnlyRuleFires(objects, peerAuthenticationMtlsRequired);
        assert.equal(f?.namespace, namespace);
      });
    }

    it("flags a port-level DISABLE on the gateway", () => {
      const objects = compliantPlatform();
      objects.push(
        peerAuthentication(GATEWAY_NS, {
          selector: { matchLabels: { istio: "egressgateway" } },
          mtls: { mode: "STRICT" },
          portLevelMtls: { "443": { mode: "DISABLE" } },
        }),
      );
      const [f] = assertOnlyRuleFires(objects, peerAuthenticationMtlsRequired);
      assert.match(f?.message ?? "", /port 443 mode DISABLE/);
    });

    it("ignores namespaces the gateway does not depend on", () => {
      const objects = compliantPlatform();
      objects.push(peerAuthentication("legacy", { mtls: { mode: "PERMISSIVE" } }));
      assertRulePasses(objects, peerAuthenticationMtlsRequired);
    });
  });
});
