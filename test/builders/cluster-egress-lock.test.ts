import { strict as assert } from "assert";
import { buildClusterEgressLockManifests } from "../../components/cluster-egress-lock";
import { configFrom, fourModeConfig } from "../support/config-fixtures";

describe("cluster-wide egress lock builder", () => {
  it("renders nothing unless the stack asks for the lock", () => {
    assert.deepEqual(buildClusterEgressLockManifests(fourModeConfig()), []);
  });

  it("denies every public address from every namespace but the gateway's and the exemptions, after passing in-cluster traffic", () => {
    const [policy, ...rest] = buildClusterEgressLockManifests(
      configFrom({ environment: "dev", cluster: { lockAllNamespaces: { exempt: ["cert-manager"] } } }),
    );
    assert.equal(rest.length, 0);
    assert.equal(policy!.apiVersion, "policy.networking.k8s.io/v1alpha1");
    assert.equal(policy!.kind, "AdminNetworkPolicy");
    assert.equal(policy!.metadata.namespace, undefined, "cluster-scoped");
    const spec = policy!.spec as any;
    assert.equal(spec.priority, 10);
    assert.deepEqual(spec.subject, {
      namespaces: {
        matchExpressions: [
          { key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["istio-egress", "cert-manager"] },
        ],
      },
    });
    assert.deepEqual(
      spec.egress.map((r: any) => [r.name, r.action]),
      [
        ["pods-keep-their-network-policies", "Pass"],
        ["internal-ranges-keep-their-network-policies", "Pass"],
        ["deny-outside-the-cluster", "Deny"],
      ],
    );
    assert.deepEqual(spec.egress[0].to, [{ namespaces: {} }]);
    assert.ok(spec.egress[1].to[0].networks.includes("169.254.0.0/16"));
    assert.ok(spec.egress[1].to[0].networks.includes("fc00::/7"));
    assert.deepEqual(spec.egress[2].to, [{ networks: ["0.0.0.0/0", "::/0"] }]);
  });

  it("passes the cluster's own public ranges to NetworkPolicies too, so EKS IPv6 pods still reach each other", () => {
    const [policy] = buildClusterEgressLockManifests(
      configFrom({
        environment: "dev",
        cluster: { internalCidrs: ["2600:1f14:abc::/56"], lockAllNamespaces: true },
      }),
    );
    assert.ok((policy!.spec as any).egress[1].to[0].networks.includes("2600:1f14:abc::/56"));
  });
});
