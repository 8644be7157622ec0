import { strict as assert } from "assert";
import { buildEgressGatewayManifests, gatewayChartValues } from "../../components/egress-gateway";
import { ACCESS_LOG_PROVIDER_NAME } from "../../components/gateway-access-log";
import { configFrom, fourModeConfig } from "../support/config-fixtures";

describe("egress gateway builder", () => {
  it("gives prod an autoscaled gateway from 3 to 10 replicas with a disruption budget and hard zone spread", () => {
    const values = gatewayChartValues(configFrom({ environment: "prod" })) as any;
    assert.deepEqual(values.autoscaling, {
      enabled: true,
      minReplicas: 3,
      maxReplicas: 10,
      targetCPUUtilizationPercentage: 70,
    });
    assert.deepEqual(values.podDisruptionBudget, { maxUnavailable: 1 });
    assert.deepEqual(values.topologySpreadConstraints[0], {
      maxSkew: 1,
      topologyKey: "topology.kubernetes.io/zone",
      whenUnsatisfiable: "DoNotSchedule",
      labelSelector: { matchLabels: { istio: "egressgateway" } },
    });
  });

  it("keeps peer metadata and attempt counts inside the mesh through the gateway pods' proxy config", () => {
    const values = gatewayChartValues(fourModeConfig()) as any;
    assert.deepEqual(JSON.parse(values.podAnnotations["proxy.istio.io/config"]).proxyHeaders, {
      metadataExchangeHeaders: { mode: "IN_MESH" },
      attemptCount: { disabled: true },
    });
  });

  it("joins a revisioned control plane: the chart's revision value and the namespace's istio.io/rev label only", () => {
    const config = configFrom({ environment: "dev", controlPlane: { revision: "1-30-3" } });
    const manifests = buildEgressGatewayManifests(config);
    assert.equal((manifests.chart.values as any).revision, "1-30-3");
    assert.equal(manifests.namespace.metadata.labels?.["istio.io/rev"], "1-30-3");
    assert.equal(manifests.namespace.metadata.labels?.["istio-injection"], undefined);
    assert.equal((gatewayChartValues(fourModeConfig()) as any).revision, undefined);
  });

  it("gives dev a single cheap replica, no disruption budget and soft spread", () => {
    const values = gatewayChartValues(fourModeConfig("dev")) as any;
    assert.equal(values.autoscaling.minReplicas, 1);
    assert.equal(values.podDisruptionBudget, undefined);
    assert.equal(values.topologySpreadConstraints[0].whenUnsatisfiable, "ScheduleAnyway");
  });

  it("lets a stack's own values override its tier baseline field by field", () => {
    const config = configFrom({
      environment: "prod",
      // Prod refuses zone: off (the pack requires zone spread there); node spread may be dropped.
      gateway: { replicas: { min: 5 }, spread: { node: "off" }, resources: { limits: { memory: "4Gi" } } },
    });
    const values = gatewayChartValues(config) as any;
    assert.equal(values.autoscaling.minReplicas, 5);
    assert.equal(values.autoscaling.maxReplicas, 10, "max keeps the baseline");
    assert.deepEqual(
      values.topologySpreadConstraints.map((c: any) => c.topologyKey),
      ["topology.kubernetes.io/zone"],
    );
    assert.deepEqual(values.resources.limits, { cpu: "2", memory: "4Gi" });
  });

  it("keeps the gateway in-cluster and exposes only the ports its services use", () => {
    const values = gatewayChartValues(fourModeConfig()) as any;
    assert.equal(values.service.type, "ClusterIP");
    assert.deepEqual(
      values.service.ports.map((p: any) => p.port),
      [15021, 80, 443],
    );
    assert.equal(values.labels.istio, "egressgateway");
  });

  it("lets the gateway reach only public addresses, never private, shared, loopback, link-local or NAT64 ranges", () => {
    const policy = buildEgressGatewayManifests(fourModeConfig()).objects.find(
      (o) => o.kind === "NetworkPolicy",
    )!;
    const egress = (policy.spec as any).egress;
    const internet = egress.find((rule: any) =>
      rule.to?.some((peer: any) => peer.ipBlock?.cidr === "0.0.0.0/0"),
    );
    assert.deepEqual(internet.to, [
      {
        ipBlock: {
          cidr: "0.0.0.0/0",
          except: [
            "10.0.0.0/8",
            "172.16.0.0/12",
            "192.168.0.0/16",
            "100.64.0.0/10",
            "127.0.0.0/8",
            "169.254.0.0/16",
          ],
        },
      },
      {
        ipBlock: {
          cidr: "::/0",
          except: ["fc00::/7", "fe80::/10", "::1/128", "64:ff9b::/96", "64:ff9b:1::/48"],
        },
      },
    ]);
    assert.deepEqual(internet.ports, [{ protocol: "TCP", port: 443 }]);
  });

  it("also excepts the cluster's own public ranges (cluster.internalCidrs), each in its family's block", () => {
    const config = configFrom({
      environment: "dev",
      cluster: { internalCidrs: ["2600:1f18:abcd::/56", "198.18.0.0/15"] },
      services: [{ name: "stripe", hosts: ["api.stripe.com"], mode: "passthrough-mtls" }],
    });
    const policy = buildEgressGatewayManifests(config).objects.find((o) => o.kind === "NetworkPolicy")!;
    const blocks = (policy.spec as any).egress
      .flatMap((rule: any) => rule.to ?? [])
      .filter((p: any) => p.ipBlock);
    const except = (cidr: string) => blocks.find((p: any) => p.ipBlock.cidr === cidr).ipBlock.except;
    assert.ok(except("0.0.0.0/0").includes("198.18.0.0/15"));
    assert.ok(!except("0.0.0.0/0").includes("2600:1f18:abcd::/56"));
    assert.ok(except("::/0").includes("2600:1f18:abcd::/56"));
  });

  /** The gateway NetworkPolicy's egress rules to the world (after DNS and istiod) for these services. */
  const externalRules = (services: Record<string, unknown>[]): any[] => {
    const config = configFrom({
      environment: "dev",
      services,
      tenants: [{ namespace: "ledger", allow: services.map((s) => s.name as string) }],
    });
    const policy = buildEgressGatewayManifests(config).objects.find((o) => o.kind === "NetworkPolicy")!;
    return (policy.spec as any).egress.slice(2);
  };

  it("narrows a port to its pinned addresses, one /32 or /128 each, when every service on it is pinned", () => {
    const rules = externalRules([
      {
        name: "bank",
        hosts: ["api.bank.example"],
        port: 8443,
        mode: "passthrough-mtls",
        pinnedAddresses: ["203.0.113.10", "2001:db8:7::10/128"],
      },
    ]);
    assert.deepEqual(rules, [
      {
        to: [{ ipBlock: { cidr: "203.0.113.10/32" } }, { ipBlock: { cidr: "2001:db8:7::10/128" } }],
        ports: [{ protocol: "TCP", port: 8443 }],
      },
    ]);
  });

  it("keeps a port open to the internet (minus internal ranges) when one service on it is not pinned", () => {
    const rules = externalRules([
      {
        name: "bank",
        hosts: ["api.bank.example"],
        mode: "passthrough-mtls",
        pinnedAddresses: ["203.0.113.10"],
      },
      { name: "stripe", hosts: ["api.stripe.com"], mode: "passthrough-mtls" },
    ]);
    assert.equal(rules.length, 1, "no allow-list beside the internet rule: it would narrow nothing");
    assert.deepEqual(
      rules[0].to.map((peer: any) => peer.ipBlock.cidr),
      ["0.0.0.0/0", "::/0"],
    );
    assert.deepEqual(rules[0].ports, [{ protocol: "TCP", port: 443 }]);
  });

  it("narrows the pinned port and leaves the other ports on the internet rule", () => {
    const rules = externalRules([
      {
        name: "bank",
        hosts: ["api.bank.example"],
        port: 9443,
        mode: "originate",
        pinnedAddresses: ["198.51.100.7"],
      },
      { name: "stripe", hosts: ["api.stripe.com"], mode: "passthrough-mtls" },
    ]);
    assert.deepEqual(
      rules.map((r) => [r.to.map((p: any) => p.ipBlock.cidr), r.ports.map((p: any) => p.port)]),
      [
        [["0.0.0.0/0", "::/0"], [443]],
        [["198.51.100.7/32"], [9443]],
      ],
    );
  });

  it("writes the cluster's own ranges and the lock's exemptions on the gateway Namespace for the policy pack", () => {
    const config = configFrom({
      environment: "dev",
      cluster: { internalCidrs: ["2600:1f18:abcd::/56"], lockAllNamespaces: { exempt: ["cert-manager"] } },
    });
    assert.deepEqual(buildEgressGatewayManifests(config).namespace.metadata.annotations, {
      "mesh-egress.io/cluster-internal-cidrs": "2600:1f18:abcd::/56",
      "mesh-egress.io/lock-all-namespaces-exempt": "cert-manager",
    });
    assert.equal(buildEgressGatewayManifests(fourModeConfig()).namespace.metadata.annotations, undefined);
  });

  it("admits traffic to the gateway only from tenant namespaces on its listener ports", () => {
    const policy = buildEgressGatewayManifests(fourModeConfig()).objects.find(
      (o) => o.kind === "NetworkPolicy",
    )!;
    const ingress = (policy.spec as any).ingress;
    assert.equal(ingress.length, 1);
    assert.deepEqual(
      ingress[0].from.map((peer: any) => peer.namespaceSelector.matchLabels["kubernetes.io/metadata.name"]),
      ["payments", "assistant", "settlement"],
    );
  });

  it("keeps one subset per host on the gateway's rule (per host and tenant with tenant chains), with SNI equal to the server host", () => {
    const rule = buildEgressGatewayManifests(fourModeConfig()).objects.find(
      (o) => o.kind === "DestinationRule",
    )!;
    const subsets = (rule.spec as any).subsets;
    assert.deepEqual(
      subsets.map((s: any) => [s.name, s.trafficPolicy?.portLevelSettings?.[0].tls.sni ?? null]),
      [
        ["stripe-payments", "payments.api.stripe.com.mesh-egress.invalid"],
        ["idp", null],
        ["openai", "api.openai.com"],
        ["partner", "api.partner.example"],
      ],
    );
  });

  it("logs every connection at the gateway through the named JSON provider that records the caller", () => {
    const telemetry = buildEgressGatewayManifests(fourModeConfig()).objects.find(
      (o) => o.kind === "Telemetry",
    )!;
    assert.deepEqual(telemetry.spec?.selector, { matchLabels: { istio: "egressgateway" } });
    assert.deepEqual(telemetry.spec?.accessLogging, [{ providers: [{ name: ACCESS_LOG_PROVIDER_NAME }] }]);
  });

  it("attributes the gateway's metrics to the caller's certificate instead of the gateway itself", () => {
    const telemetry = buildEgressGatewayManifests(fourModeConfig()).objects.find(
      (o) => o.kind === "Telemetry",
    )!;
    assert.deepEqual(telemetry.spec?.metrics, [
      {
        providers: [{ name: "prometheus" }],
        overrides: [
          {
            match: { metric: "ALL_METRICS", mode: "CLIENT" },
            tagOverrides: { source_principal: { value: "connection.uri_san_peer_certificate" } },
          },
        ],
      },
    ]);
  });

  // Full stat names as Envoy builds them: Istio names each cluster's stats `<cluster>;` (its alt_stat_name).
  const exported = (stat: string) => {
    const annotations = (gatewayChartValues(fourModeConfig()) as any).podAnnotations;
    const proxyConfig = JSON.parse(annotations["proxy.istio.io/config"]);
    // Envoy's stats matcher regexes match the whole name.
    return proxyConfig.proxyStatsMatcher.inclusionRegexps.some((r: string) =>
      new RegExp(`^(?:${r})$`).test(stat),
    );
  };

  it("has the gateway's Envoy export its per-cluster TLS handshake and verification counters", () => {
    assert.ok(exported("cluster.outbound|443||api.openai.com;.ssl.fail_verify_san"));
    assert.ok(exported("cluster.outbound|443||api.openai.com;.ssl.connection_error"));
    assert.ok(!exported("cluster.outbound|443||api.openai.com;.upstream_rq_total"));
  });

  it("has the gateway's Envoy export the global rate limit counters under its stat_prefix, which the alerts read", () => {
    for (const counter of ["ok", "error", "over_limit", "failure_mode_allowed"]) {
      assert.ok(
        exported(`cluster.outbound|443||api.openai.com;.ratelimit.mesh_egress_global.${counter}`),
        counter,
      );
    }
    assert.ok(!exported("cluster.outbound|443||api.openai.com;.ratelimit.other_prefix.failure_mode_allowed"));
  });
});
