import * as assert from "node:assert/strict";
import { KubernetesObject } from "../contract";
import { gatewayEgressNarrowingEffective } from "../rules/gateway-integrity/gateway-egress-narrowing-effective";
import { pinnedServiceEntryStatic } from "../rules/registry/pinned-service-entry-static";
import { gatewayEgressExcludesInternalRanges } from "../rules/gateway-integrity/gateway-egress-excludes-internal-ranges";
import { compliantPlatform, find, GATEWAY_NS, Mutable } from "./compliant-platform";
import { assertOnlyRuleFires, assertRulePasses } from "./rule-harness";

const PINNED = "mesh-egress.io/pinned-addresses";

/** The compliant platform with its partner service pinned to one IPv4 and one IPv6 address. */
function pinnedPlatform(): KubernetesObject[] {
  const objects = compliantPlatform();
  const entry = find(objects, "ServiceEntry", "egress-partner", GATEWAY_NS);
  entry.metadata.annotations = { [PINNED]: "203.0.113.10,2001:db8:7::10" };
  entry.spec.resolution = "STATIC";
  entry.spec.endpoints = [{ address: "203.0.113.10" }, { address: "2001:db8:7::10" }];
  return objects;
}

const partnerEntry = (objects: KubernetesObject[]): Mutable =>
  find(objects, "ServiceEntry", "egress-partner", GATEWAY_NS);
const gatewayPolicy = (objects: KubernetesObject[]): Mutable =>
  find(objects, "NetworkPolicy", "egress-gateway", GATEWAY_NS);

describe("pinned-service-entry-static", () => {
  it("accepts a pinned ServiceEntry resolving STATIC to exactly its pinned addresses", () => {
    assertRulePasses(pinnedPlatform(), pinnedServiceEntryStatic);
  });

  it("accepts an unpinned ServiceEntry resolving by DNS", () => {
    assertRulePasses(compliantPlatform(), pinnedServiceEntryStatic);
  });

  it("flags a pinned ServiceEntry that resolves by DNS", () => {
    const objects = pinnedPlatform();
    partnerEntry(objects).spec.resolution = "DNS";
    const [f] = assertOnlyRuleFires(objects, pinnedServiceEntryStatic);
    assert.match(f?.message ?? "", /is pinned but resolves with DNS, so the gateway asks DNS/);
  });

  it("flags an endpoint that is not one of the pinned addresses", () => {
    const objects = pinnedPlatform();
    partnerEntry(objects).spec.endpoints[0].address = "198.51.100.99";
    const messages = assertOnlyRuleFires(objects, pinnedServiceEntryStatic).map((f) => f.message);
    assert.ok(messages.some((m) => /endpoint 198\.51\.100\.99, which is not one of the pinned/.test(m)));
    assert.ok(messages.some((m) => /no endpoint for pinned address\(es\) 203\.0\.113\.10/.test(m)));
  });

  it("flags a hostname endpoint, which the gateway would resolve by DNS", () => {
    const objects = pinnedPlatform();
    partnerEntry(objects).spec.endpoints.push({ address: "api.partner.example.com" });
    const [f] = assertOnlyRuleFires(objects, pinnedServiceEntryStatic);
    assert.match(
      f?.message ?? "",
      /endpoint "api\.partner\.example\.com", a name the gateway resolves by DNS/,
    );
  });

  it("compares IPv6 addresses in canonical form", () => {
    const objects = pinnedPlatform();
    partnerEntry(objects).spec.endpoints[1].address = "2001:0db8:0007:0000:0000:0000:0000:0010";
    assertRulePasses(objects, pinnedServiceEntryStatic);
  });
});

describe("gateway-egress-narrowing-effective", () => {
  it("accepts the gateway's internet rule alone", () => {
    assertRulePasses(compliantPlatform(), gatewayEgressNarrowingEffective);
  });

  it("accepts a port narrowed to pinned addresses that no broader rule also opens", () => {
    const objects = compliantPlatform();
    gatewayPolicy(objects).spec.egress.push({
      to: [{ ipBlock: { cidr: "203.0.113.10/32" } }],
      ports: [{ protocol: "TCP", port: 9443 }],
    });
    assertRulePasses(objects, gatewayEgressNarrowingEffective);
  });

  it("flags an allow-list beside the internet rule on the same port (the old allowedCidrs shape)", () => {
    const objects = compliantPlatform();
    gatewayPolicy(objects).spec.egress.push({
      to: [{ ipBlock: { cidr: "203.0.113.0/24" } }],
      ports: [{ protocol: "TCP", port: 443 }],
    });
    const [f] = assertOnlyRuleFires(objects, gatewayEgressNarrowingEffective);
    assert.match(
      f?.message ?? "",
      /egress rule 3 \(203\.0\.113\.0\/24 on 443\/TCP\) narrows nothing: rule 2 already allows 0\.0\.0\.0\/0/,
    );
  });

  it("flags the allow-list when the broader rule sits in another NetworkPolicy selecting the gateway", () => {
    const objects = compliantPlatform();
    objects.push({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "partner-allow-list", namespace: GATEWAY_NS },
      spec: {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [{ to: [{ ipBlock: { cidr: "203.0.113.10/32" } }], ports: [{ protocol: "TCP", port: 443 }] }],
      },
    });
    const [f] = assertOnlyRuleFires(objects, gatewayEgressNarrowingEffective);
    assert.equal(f?.name, "partner-allow-list");
    assert.match(f?.message ?? "", /on 443\/TCP\) narrows nothing: egress-gateway rule 2/);
  });
});

describe("gateway-egress-excludes-internal-ranges with the cluster's own ranges", () => {
  const withClusterRanges = (): KubernetesObject[] => {
    const objects = compliantPlatform();
    find(objects, "Namespace", GATEWAY_NS).metadata.annotations = {
      "mesh-egress.io/cluster-internal-cidrs": "2600:1f14:abc::/56",
    };
    return objects;
  };

  it("accepts ::/0 that also excepts the range the gateway Namespace declares", () => {
    const objects = withClusterRanges();
    gatewayPolicy(objects).spec.egress[2].to[1].ipBlock.except.push("2600:1f14:abc::/56");
    assertRulePasses(objects, gatewayEgressExcludesInternalRanges);
  });

  it("flags ::/0 that does not except the range the gateway Namespace declares", () => {
    const [f] = assertOnlyRuleFires(withClusterRanges(), gatewayEgressExcludesInternalRanges);
    assert.match(f?.message ?? "", /reach internal ranges 2600:1f14:abc::\/56/);
  });
});
