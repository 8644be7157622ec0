import { strict as assert } from "assert";
import { buildClusterEgressLockManifests } from "../../components/cluster-egress-lock";
import { buildEgressGatewayManifests } from "../../components/egress-gateway";
import { buildRateLimitManifests } from "../../components/rate-limits";
import { buildTenantManifests } from "../../components/tenant";
import type { KubernetesObject } from "../../components/kubernetes-object";
import { ConfigError } from "../../stacks/model/config-error";
import { configFrom } from "../support/config-fixtures";
import { PLACEHOLDER_DIGEST } from "../support/rate-limit-fixtures";

/** A stack with a tenant, the global limiter (its own NetworkPolicies) and the cluster-wide lock, on this DNS. */
function stackWithDns(dns: Record<string, unknown>) {
  return configFrom({
    environment: "dev",
    cluster: { dns, lockAllNamespaces: true },
    services: [{ name: "openai", hosts: ["api.openai.com"], mode: "originate" }],
    tenants: [{ namespace: "assistant", allow: ["openai"] }],
    rateLimits: {
      global: {
        image: `docker.io/envoyproxy/ratelimit@${PLACEHOLDER_DIGEST}`,
        redis: { deploy: { image: `docker.io/library/redis@${PLACEHOLDER_DIGEST}` } },
      },
    },
  });
}

/** The DNS rule (the one on port 53) of every NetworkPolicy the stack renders, by name. */
function dnsRules(config: ReturnType<typeof stackWithDns>): Record<string, unknown> {
  const policies: KubernetesObject[] = [
    ...buildTenantManifests(config.tenants[0]!, config).objects,
    ...buildEgressGatewayManifests(config).objects,
    ...buildRateLimitManifests(config).objects,
  ].filter((o) => o.kind === "NetworkPolicy");
  const out: Record<string, unknown> = {};
  for (const policy of policies) {
    const rule = ((policy.spec as any).egress ?? []).find((r: any) =>
      r.ports?.some((p: any) => p.port === 53),
    );
    if (rule) out[`${policy.metadata.namespace}/${policy.metadata.name}`] = rule.to;
  }
  return out;
}

describe("cluster DNS under the NetworkPolicies (cluster.dns)", () => {
  it("allows kube-dns pods in kube-system by default, in every policy that allows DNS", () => {
    const rules = dnsRules(stackWithDns({}));
    assert.deepEqual(Object.keys(rules).sort(), [
      "assistant/egress-via-gateway",
      "istio-egress/istio-egressgateway",
      "istio-egress/ratelimit",
    ]);
    for (const to of Object.values(rules)) {
      assert.deepEqual(to, [
        {
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
          podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
        },
      ]);
    }
  });

  it("uses a declared DNS namespace and pod selector everywhere, the lock's upstream pass included", () => {
    const config = stackWithDns({ namespace: "dns", podLabels: { "app.kubernetes.io/name": "coredns" } });
    for (const to of Object.values(dnsRules(config))) {
      assert.deepEqual(to, [
        {
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "dns" } },
          podSelector: { matchLabels: { "app.kubernetes.io/name": "coredns" } },
        },
      ]);
    }
    const pass = buildClusterEgressLockManifests(config).find(
      (o) => o.metadata.name === "mesh-egress-lock-dns-upstream",
    );
    assert.deepEqual((pass!.spec as any).subject.pods.podSelector, {
      matchLabels: { "app.kubernetes.io/name": "coredns" },
    });
  });

  it("adds each node-local cache address (IPv4 and IPv6) by ipBlock on port 53, beside the DNS pods", () => {
    const rules = dnsRules(stackWithDns({ nodeLocalAddresses: ["169.254.20.10", "fd00:0:0::a"] }));
    for (const to of Object.values(rules)) {
      assert.deepEqual((to as any[]).slice(1), [
        { ipBlock: { cidr: "169.254.20.10/32" } },
        { ipBlock: { cidr: "fd00::a/128" } },
      ]);
    }
  });

  it("passes node-local cache addresses on port 53 only, ahead of everything else in the cluster-wide lock", () => {
    const [lock] = buildClusterEgressLockManifests(stackWithDns({ nodeLocalAddresses: ["169.254.20.10"] }));
    assert.deepEqual((lock!.spec as any).egress[0], {
      name: "node-local-dns-keeps-its-network-policies",
      action: "Pass",
      to: [{ networks: ["169.254.20.10/32"] }],
      ports: [{ portNumber: { protocol: "UDP", port: 53 } }, { portNumber: { protocol: "TCP", port: 53 } }],
    });
  });

  it("declares the node-local addresses on the gateway Namespace, for the policy pack to accept exactly those", () => {
    const { namespace } = buildEgressGatewayManifests(
      stackWithDns({ nodeLocalAddresses: ["169.254.20.10"] }),
    );
    assert.equal(namespace.metadata.annotations?.["mesh-egress.io/node-local-dns"], "169.254.20.10/32");
  });

  const refusal = (dns: Record<string, unknown>): string => {
    try {
      stackWithDns(dns);
    } catch (error) {
      assert.ok(error instanceof ConfigError, String(error));
      return error.message;
    }
    return assert.fail("the config was accepted");
  };

  it("refuses a public resolver as a node-local address, naming the field and the fix", () => {
    assert.match(
      refusal({ nodeLocalAddresses: ["8.8.8.8"] }),
      /cluster\.dns\.nodeLocalAddresses\[0\]: 8\.8\.8\.8 is a public address: .*give the node-local cache's link-local address \(e\.g\. 169\.254\.20\.10\)/,
    );
  });

  it("refuses a range as a node-local address", () => {
    assert.match(
      refusal({ nodeLocalAddresses: ["169.254.0.0/16"] }),
      /cluster\.dns\.nodeLocalAddresses\[0\]: "169\.254\.0\.0\/16" is not one IP address/,
    );
  });

  it("refuses an empty DNS pod selector, which would match every pod of the namespace", () => {
    assert.match(refusal({ podLabels: {} }), /cluster\.dns\.podLabels: must name at least one label/);
  });
});
