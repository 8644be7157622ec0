import { strict as assert } from "assert";
import { buildClusterEgressLockManifests } from "../../components/cluster-egress-lock";
import { ConfigError, formatIssue } from "../../stacks/model/config-error";
import { configFrom, fourModeConfig } from "../support/config-fixtures";

describe("cluster-wide egress lock builder", () => {
  it("renders nothing unless the stack asks for the lock", () => {
    assert.deepEqual(buildClusterEgressLockManifests(fourModeConfig()), []);
  });

  it("denies every public address from every namespace but the gateway's and the exemptions, after passing in-cluster traffic", () => {
    const [policy, ...rest] = buildClusterEgressLockManifests(
      configFrom({ environment: "dev", cluster: { lockAllNamespaces: { exempt: ["cert-manager"] } } }),
    );
    assert.deepEqual(
      rest.map((o) => o.metadata.name),
      ["mesh-egress-lock-dns-upstream"],
      "besides the lock, only the DNS upstream pass",
    );
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

  it("passes only the cluster DNS pods' port 53 to public resolvers, one priority ahead of the lock", () => {
    const [lock, dns] = buildClusterEgressLockManifests(
      configFrom({
        environment: "dev",
        cluster: {
          dns: { namespace: "dns-system", podLabels: { "k8s-app": "coredns" } },
          lockAllNamespaces: { priority: 20 },
        },
      }),
    );
    assert.deepEqual(dns!.spec, {
      priority: 19,
      subject: {
        pods: {
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "dns-system" } },
          podSelector: { matchLabels: { "k8s-app": "coredns" } },
        },
      },
      egress: [
        {
          name: "dns-upstream-keeps-its-network-policies",
          action: "Pass",
          to: [{ networks: ["0.0.0.0/0", "::/0"] }],
          ports: [
            { portNumber: { protocol: "UDP", port: 53 } },
            { portNumber: { protocol: "TCP", port: 53 } },
          ],
        },
      ],
    });
    assert.ok((dns!.spec as any).priority < (lock!.spec as any).priority);
  });

  it("refuses a lock at priority 0, which leaves no step ahead for the DNS pass and break-glass", () => {
    assert.throws(
      () => configFrom({ environment: "dev", cluster: { lockAllNamespaces: { priority: 0 } } }),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.issues
          .map(formatIssue)
          .some((m) => /^cluster\.lockAllNamespaces\.priority: must be at least 1/.test(m)),
    );
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
