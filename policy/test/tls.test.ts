import * as assert from "node:assert/strict";
import { destinationRuleNoInsecureSkipVerify } from "../rules/tls/destination-rule-no-insecure-skip-verify";
import { gatewayDestinationRuleNotShadowed } from "../rules/tls/gateway-destination-rule-not-shadowed";
import { istioMutualSubsetNotPassthrough } from "../rules/tls/istio-mutual-subset-not-passthrough";
import { meshRouteHasGatewayRoute } from "../rules/tls/mesh-route-has-gateway-route";
import { originationRuleGatewayOnly } from "../rules/tls/origination-rule-gateway-only";
import { originationTlsNotDisabled } from "../rules/tls/origination-tls-not-disabled";
import { originationTlsSniAndSans } from "../rules/tls/origination-tls-sni-and-sans";
import { KubernetesObject } from "../contract";
import { compliantPlatform, find, Mutable } from "./compliant-platform";
import { assertOnlyRuleFires, assertRulePasses } from "./rule-harness";

const originationTls = (objects: KubernetesObject[], service = "openai"): Mutable =>
  find(objects, "DestinationRule", `egress-origination-${service}`).spec.trafficPolicy.portLevelSettings[0]
    .tls;

describe("TLS rules", () => {
  describe("origination-tls-not-disabled", () => {
    it("accepts SIMPLE and MUTUAL origination for every HTTP route out of the gateway", () => {
      assertRulePasses(compliantPlatform(), originationTlsNotDisabled);
    });

    it("flags tls.mode DISABLE toward an external host", () => {
      const objects = compliantPlatform();
      originationTls(objects).mode = "DISABLE";
      const f = assertOnlyRuleFires(objects, originationTlsNotDisabled);
      assert.ok(f.some((v) => /sets mode DISABLE toward external host api\.openai\.com/.test(v.message)));
    });

    it("flags a gateway HTTP route to an external host that nothing originates TLS for", () => {
      const objects = compliantPlatform().filter((o) => o.metadata.name !== "egress-origination-partner");
      const [f] = assertOnlyRuleFires(objects, originationTlsNotDisabled);
      assert.match(f?.message ?? "", /forwards HTTP to external host api\.partner\.example\.com/);
    });
  });

  describe("destination-rule-no-insecure-skip-verify", () => {
    it("accepts verified origination", () => {
      assertRulePasses(compliantPlatform(), destinationRuleNoInsecureSkipVerify);
    });

    it("flags insecureSkipVerify", () => {
      const objects = compliantPlatform();
      originationTls(objects, "partner").insecureSkipVerify = true;
      const [f] = assertOnlyRuleFires(objects, destinationRuleNoInsecureSkipVerify);
      assert.match(f?.message ?? "", /portLevelSettings\[0\]\.tls sets insecureSkipVerify/);
    });
  });

  describe("origination-tls-sni-and-sans", () => {
    it("accepts SIMPLE and MUTUAL settings with sni and subjectAltNames", () => {
      assertRulePasses(compliantPlatform(), originationTlsSniAndSans);
    });

    it("flags origination that sets sni without subjectAltNames", () => {
      const objects = compliantPlatform();
      delete originationTls(objects).subjectAltNames;
      const [f] = assertOnlyRuleFires(objects, originationTlsSniAndSans);
      assert.match(
        f?.message ?? "",
        /originates SIMPLE TLS with sni api\.openai\.com but no subjectAltNames/,
      );
    });

    it("accepts origination with neither sni nor subjectAltNames, where Istio sets SNI and checks the SAN itself", () => {
      const objects = compliantPlatform();
      delete originationTls(objects, "partner").sni;
      delete originationTls(objects, "partner").subjectAltNames;
      assertRulePasses(objects, originationTlsSniAndSans);
    });

    it("accepts subjectAltNames declared on the host's ServiceEntry", () => {
      const objects = compliantPlatform();
      delete originationTls(objects).subjectAltNames;
      const entry = objects.find(
        (o) => o.kind === "ServiceEntry" && (o.spec?.hosts as string[]).includes("api.openai.com"),
      );
      assert.ok(entry?.spec);
      (entry.spec as Record<string, unknown>).subjectAltNames = ["api.openai.com"];
      assertRulePasses(objects, originationTlsSniAndSans);
    });
  });

  describe("origination-rule-gateway-only", () => {
    it('accepts origination rules in the gateway namespace exported to "."', () => {
      assertRulePasses(compliantPlatform(), originationRuleGatewayOnly);
    });

    it("flags an origination rule exported to every namespace", () => {
      const objects = compliantPlatform();
      delete find(objects, "DestinationRule", "egress-origination-openai").spec.exportTo;
      assertOnlyRuleFires(objects, originationRuleGatewayOnly);
    });

    it("flags an origination rule exported to a tenant", () => {
      const objects = compliantPlatform();
      find(objects, "DestinationRule", "egress-origination-openai").spec.exportTo = [".", "ml"];
      assertOnlyRuleFires(objects, originationRuleGatewayOnly);
    });

    it("flags an origination rule in a tenant namespace", () => {
      const objects = compliantPlatform();
      find(objects, "DestinationRule", "egress-origination-openai").metadata.namespace = "ml";
      const [f] = assertOnlyRuleFires(objects, originationRuleGatewayOnly);
      assert.match(f?.message ?? "", /outside the gateway namespace istio-egress/);
    });
  });

  describe("istio-mutual-subset-not-passthrough", () => {
    it("accepts ISTIO_MUTUAL subsets toward ISTIO_MUTUAL servers and a plain subset for passthrough", () => {
      assertRulePasses(compliantPlatform(), istioMutualSubsetNotPassthrough);
    });

    it("flags an ISTIO_MUTUAL subset whose SNI host is served as PASSTHROUGH", () => {
      const objects = compliantPlatform();
      find(objects, "Gateway", "egress-stripe").spec.servers[0].tls.mode = "PASSTHROUGH";
      const [f] = assertOnlyRuleFires(objects, istioMutualSubsetNotPassthrough);
      assert.match(
        f?.message ?? "",
        /sni api\.stripe\.com, but Gateway istio-egress\/egress-stripe serves api\.stripe\.com as PASSTHROUGH/,
      );
    });

    it("flags a passthrough service whose subset was given ISTIO_MUTUAL", () => {
      const objects = compliantPlatform();
      find(
        objects,
        "DestinationRule",
        "egress-gateway-github",
      ).spec.subsets[0].trafficPolicy.portLevelSettings[0].tls = {
        mode: "ISTIO_MUTUAL",
        sni: "api.github.com",
      };
      assertOnlyRuleFires(objects, istioMutualSubsetNotPassthrough);
    });
  });

  describe("mesh-route-has-gateway-route", () => {
    it("accepts every mesh route to the gateway with a gateway-side route", () => {
      assertRulePasses(compliantPlatform(), meshRouteHasGatewayRoute);
    });

    it("flags a TLS service whose gateway-side tcp route is missing", () => {
      const objects = compliantPlatform();
      delete find(objects, "VirtualService", "egress-stripe").spec.tcp;
      const [f] = assertOnlyRuleFires(objects, meshRouteHasGatewayRoute);
      assert.match(f?.message ?? "", /routes api\.stripe\.com from sidecars to the egress gateway/);
    });

    it("flags an HTTP service whose gateway-side route is missing", () => {
      const objects = compliantPlatform();
      const spec = find(objects, "VirtualService", "egress-openai").spec;
      spec.http = spec.http.filter((r: Mutable) => r.name !== "openai-egress");
      assertOnlyRuleFires(objects, meshRouteHasGatewayRoute);
    });

    it("flags a tenant VirtualService that sends a host to the gateway nobody routes onward", () => {
      const objects = compliantPlatform();
      objects.push({
        apiVersion: "networking.istio.io/v1",
        kind: "VirtualService",
        metadata: { name: "sneaky", namespace: "ml" },
        spec: {
          exportTo: ["."],
          hosts: ["pastebin.com"],
          tls: [
            {
              match: [{ port: 443, sniHosts: ["pastebin.com"] }],
              route: [
                {
                  destination: {
                    host: "istio-egressgateway.istio-egress.svc.cluster.local",
                    port: { number: 443 },
                  },
                },
              ],
            },
          ],
        },
      });
      const [f] = assertOnlyRuleFires(objects, meshRouteHasGatewayRoute);
      assert.deepEqual([f?.namespace, f?.name], ["ml", "sneaky"]);
    });
  });

  describe("gateway-destination-rule-not-shadowed", () => {
    it("accepts DestinationRules for the gateway's Service in the platform namespace only", () => {
      assertRulePasses(compliantPlatform(), gatewayDestinationRuleNotShadowed);
    });

    it("flags a tenant's DestinationRule for the gateway's Service", () => {
      const objects = compliantPlatform();
      objects.push({
        apiVersion: "networking.istio.io/v1",
        kind: "DestinationRule",
        metadata: { name: "to-gateway", namespace: "payments" },
        spec: {
          exportTo: ["."],
          host: "istio-egressgateway.istio-egress.svc.cluster.local",
          trafficPolicy: { tls: { mode: "DISABLE" } },
        },
      });
      const [f] = assertOnlyRuleFires(objects, gatewayDestinationRuleNotShadowed);
      assert.match(f?.message ?? "", /from namespace payments, shadowing the platform's DestinationRule/);
    });
  });
});
