import { strict as assert } from "assert";
import { allowedDestinations, buildTenantManifests } from "../../components/tenant";
import { configFrom, fourModeConfig } from "../support/config-fixtures";

function tenantManifests(namespace: string) {
  const config = fourModeConfig();
  const tenant = config.tenants.find((t) => t.namespace === namespace)!;
  const { namespace: ns, objects } = buildTenantManifests(tenant, config);
  const kind = (k: string) => objects.find((o) => o.kind === k);
  return { ns, objects, kind, config, tenant };
}

describe("tenant builder", () => {
  it("scopes the tenant's sidecars to REGISTRY_ONLY and exactly its allowed hosts", () => {
    const { kind } = tenantManifests("payments");
    assert.deepEqual(kind("Sidecar")?.spec, {
      outboundTrafficPolicy: { mode: "REGISTRY_ONLY" },
      egress: [
        {
          hosts: [
            "./*",
            "istio-system/*",
            "istio-egress/istio-egressgateway.istio-egress.svc.cluster.local",
            "istio-egress/api.stripe.com",
            "istio-egress/login.example.com",
          ],
        },
      ],
    });
  });

  it("denies all namespace egress except DNS, istiod, the gateway and in-cluster pods", () => {
    const { kind } = tenantManifests("payments");
    const spec = kind("NetworkPolicy")?.spec as any;
    assert.deepEqual(spec.podSelector, {});
    assert.deepEqual(spec.policyTypes, ["Egress"]);
    assert.equal(spec.egress.length, 4);
    assert.deepEqual(spec.egress[0].ports, [
      { protocol: "UDP", port: 53 },
      { protocol: "TCP", port: 53 },
    ]);
    assert.deepEqual(spec.egress[1].ports, [{ protocol: "TCP", port: 15012 }]);
    assert.deepEqual(spec.egress[2].to[0].podSelector, { matchLabels: { istio: "egressgateway" } });
    // Every namespace on every port, except those that keep their port-scoped rules above.
    assert.deepEqual(spec.egress[3], {
      to: [
        {
          namespaceSelector: {
            matchExpressions: [
              {
                key: "kubernetes.io/metadata.name",
                operator: "NotIn",
                values: ["istio-egress", "istio-system", "kube-system"],
              },
            ],
          },
        },
      ],
    });
    assert.ok(!JSON.stringify(spec).includes("ipBlock"), "no rule reaches outside the cluster");
  });

  it("also closes namespaces the config marks as having open egress to tenants", () => {
    const config = configFrom({
      environment: "dev",
      cluster: { openEgressNamespaces: ["ci-runners"] },
      services: [{ name: "stripe", hosts: ["api.stripe.com"], mode: "passthrough-mtls" }],
      tenants: [{ namespace: "payments", allow: ["stripe"] }],
    });
    const { objects } = buildTenantManifests(config.tenants[0], config);
    const policy = objects.find((o) => o.kind === "NetworkPolicy")!.spec as any;
    assert.deepEqual(policy.egress[3].to[0].namespaceSelector.matchExpressions[0].values, [
      "ci-runners",
      "istio-egress",
      "istio-system",
      "kube-system",
    ]);
  });

  it("enrols namespaces with istio.io/rev alone and reaches only that revision's istiod under a revisioned control plane", () => {
    const config = configFrom({
      environment: "dev",
      controlPlane: { revision: "1-30-3" },
      services: [{ name: "stripe", hosts: ["api.stripe.com"], mode: "passthrough-mtls" }],
      tenants: [{ namespace: "payments", allow: ["stripe"] }],
    });
    const { namespace, objects } = buildTenantManifests(config.tenants[0], config);
    assert.equal(namespace.metadata.labels?.["istio.io/rev"], "1-30-3");
    assert.equal(namespace.metadata.labels?.["istio-injection"], undefined);
    const policy = objects.find((o) => o.kind === "NetworkPolicy")!.spec as any;
    assert.deepEqual(policy.egress[1].to[0].podSelector, {
      matchLabels: { app: "istiod", "istio.io/rev": "1-30-3" },
    });
  });

  it("authorizes TLS services by the tenant's own SNI and port, never by HTTP host", () => {
    const { kind } = tenantManifests("payments");
    const policy = kind("AuthorizationPolicy")!;
    assert.equal(policy.metadata.namespace, "istio-egress");
    assert.deepEqual(policy.spec, {
      selector: { matchLabels: { istio: "egressgateway" } },
      action: "ALLOW",
      // idp is plain passthrough: no identity reaches the gateway, so no per-tenant rule for it.
      rules: [
        {
          from: [{ source: { namespaces: ["payments"] } }],
          to: [{ operation: { ports: ["443"] } }],
          // Its own chain's SNI: another tenant presenting it is refused here.
          when: [{ key: "connection.sni", values: ["payments.api.stripe.com.mesh-egress.invalid"] }],
        },
      ],
    });
  });

  it("authorizes originated HTTP services by host on the gateway's HTTP port", () => {
    const { kind } = tenantManifests("assistant");
    assert.deepEqual((kind("AuthorizationPolicy")!.spec as any).rules, [
      {
        from: [{ source: { namespaces: ["assistant"] } }],
        to: [{ operation: { hosts: ["api.openai.com", "api.openai.com:*"], ports: ["80"] } }],
      },
    ]);
  });

  it("enrols the tenant namespace in the mesh and labels it as a tenant", () => {
    const { ns } = tenantManifests("settlement");
    assert.equal(ns.metadata.labels?.["istio-injection"], "enabled");
    assert.equal(ns.metadata.labels?.["mesh-egress.io/tenant"], "settlement");
  });

  it("lists the host:port destinations a tenant may reach", () => {
    const { tenant, config } = tenantManifests("payments");
    assert.deepEqual(allowedDestinations(tenant, config), ["api.stripe.com:443", "login.example.com:443"]);
  });
});
