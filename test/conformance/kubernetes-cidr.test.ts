import { strict as assert } from "assert";
import { isKubernetesCidr } from "../support/kubernetes-cidr";
import {
  describeWithUpstreamSchemas,
  formatOutcome,
  issuesOf,
  loadCrdCatalog,
} from "../support/upstream-schemas";

// Expected verdicts are Go's netip.ParsePrefix plus Kubernetes' refusals (k8s.io/apiserver cel/library/cidr.go).
describe("Kubernetes' CEL isCIDR", () => {
  for (const cidr of ["10.0.0.0/8", "0.0.0.0/0", "10.0.0.1/8", "fd00::/8", "::/0", "2001:db8::1/128"]) {
    it(`accepts ${cidr}`, () => assert.equal(isKubernetesCidr(cidr), true));
  }
  const rejected: [cidr: string, why: string][] = [
    ["10.0.0.0", "no prefix length"],
    ["10.0.0.0/33", "more bits than an IPv4 address"],
    ["fd00::/129", "more bits than an IPv6 address"],
    ["10.0.0.0/08", "a prefix length with a leading zero"],
    ["010.0.0.0/8", "an octet with a leading zero"],
    ["10.0/8", "a shortened IPv4 address"],
    ["256.0.0.0/8", "an octet above 255"],
    ["fe80::1%eth0/64", "an IPv6 zone"],
    ["::ffff:10.0.0.0/104", "an IPv4-mapped IPv6 address"],
    ["example.com/8", "a name"],
  ];
  for (const [cidr, why] of rejected) {
    it(`rejects ${cidr}: ${why}`, () => assert.equal(isKubernetesCidr(cidr), false));
  }
});

describeWithUpstreamSchemas("the network-policy API's isCIDR(self) rule", (schemasDir) => {
  const policy = (networks: string[]) => ({
    apiVersion: "policy.networking.k8s.io/v1alpha1",
    kind: "AdminNetworkPolicy",
    metadata: { name: "egress-internal" },
    spec: {
      priority: 10,
      subject: { namespaces: {} },
      egress: [{ name: "deny-internal", action: "Deny", to: [{ networks }] }],
    },
  });

  it("accepts an AdminNetworkPolicy whose networks are CIDRs", () => {
    const outcome = loadCrdCatalog(schemasDir).validate(policy(["10.0.0.0/8", "fd00::/8"]));
    assert.equal(outcome.status, "validated", formatOutcome(outcome));
  });

  it("rejects a network that is not a CIDR, at its path, with the CRD's message", () => {
    const outcome = loadCrdCatalog(schemasDir).validate(policy(["10.0.0.0/8", "10.0.0.0/33"]));
    assert.ok(
      issuesOf(outcome).some(
        (i) =>
          i.path === "spec.egress[0].to[0].networks[1]" && i.message.includes("Invalid CIDR format provided"),
      ),
      formatOutcome(outcome),
    );
  });
});
