import { strict as assert } from "assert";
import { buildEgressGatewayManifests, gatewayChartValues } from "../../components/egress-gateway";
import { ACCESS_LOG_PROVIDER_NAME } from "../../components/gateway-access-log";
import { configFrom, fourModeConfig } from "../support/config-fixtures";

describe("egress gateway builder", () => {
  it("gives prod an autoscaled gateway from 3 to 10 replicas with a disruption budget and hard zone spread", () => {
    const values = gatewayChartValues(fourModeConfig("prod")) as any;
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

  it("gives dev a single cheap replica, no disruption budget and soft spread", () => {
    const values = gatewayChartValues(fourModeConfig("dev")) as any;
    assert.equal(values.autoscaling.minReplicas, 1);
    assert.equal(values.podDisruptionBudget, undefined);
    assert.equal(values.topologySpreadConstraints[0].whenUnsatisfiable, "ScheduleAnyway");
  });

  it("lets a stack's own values override its tier baseline field by field", () => {
    const config = configFrom({
      environment: "prod",
      gateway: { replicas: { min: 5 }, spread: { zone: "off" }, resources: { limits: { memory: "4Gi" } } },
    });
    const values = gatewayChartValues(config) as any;
    assert.equal(values.autoscaling.minReplicas, 5);
    assert.equal(values.autoscaling.maxReplicas, 10, "max keeps the baseline");
    assert.deepEqual(
      values.topologySpreadConstraints.map((c: any) => c.topologyKey),
      ["kubernetes.io/hostname"],
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

  it("lets the gateway reach only public addresses, never private, shared, loopback or link-local ranges", () => {
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
      { ipBlock: { cidr: "::/0", except: ["fc00::/7", "fe80::/10", "::1/128"] } },
    ]);
    assert.deepEqual(internet.ports, [{ protocol: "TCP", port: 443 }]);
  });

  it("narrows a service with allowed CIDRs to those blocks on its port", () => {
    const config = configFrom({
      environment: "prod",
      services: [
        {
          name: "bank",
          hosts: ["api.bank.example"],
          port: 8443,
          mode: "passthrough-mtls",
          allowedCidrs: ["203.0.113.0/24"],
        },
      ],
      tenants: [{ namespace: "ledger", allow: ["bank"] }],
      rateLimits: { tenants: { ledger: { tls: { connections: 5, per: "second" } } } },
    });
    const policy = buildEgressGatewayManifests(config).objects.find((o) => o.kind === "NetworkPolicy")!;
    const egress = (policy.spec as any).egress;
    assert.ok(
      !JSON.stringify(egress).includes("0.0.0.0/0"),
      "no open internet rule when every service is pinned",
    );
    assert.deepEqual(egress[2], {
      to: [{ ipBlock: { cidr: "203.0.113.0/24" } }],
      ports: [{ protocol: "TCP", port: 8443 }],
    });
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

  it("keeps one subset per host on the gateway's rule, with SNI equal to the server host", () => {
    const rule = buildEgressGatewayManifests(fourModeConfig()).objects.find(
      (o) => o.kind === "DestinationRule",
    )!;
    const subsets = (rule.spec as any).subsets;
    assert.deepEqual(
      subsets.map((s: any) => [s.name, s.trafficPolicy?.portLevelSettings?.[0].tls.sni ?? null]),
      [
        ["stripe", "api.stripe.com"],
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

  it("has the gateway's Envoy export its per-cluster TLS handshake and verification counters", () => {
    const annotations = (gatewayChartValues(fourModeConfig()) as any).podAnnotations;
    const proxyConfig = JSON.parse(annotations["proxy.istio.io/config"]);
    const [regexp] = proxyConfig.proxyStatsMatcher.inclusionRegexps.map((r: string) => new RegExp(`^${r}$`));
    assert.ok(regexp.test("cluster.outbound|443||api.openai.com.ssl.fail_verify_san"));
    assert.ok(regexp.test("cluster.outbound|443||api.openai.com.ssl.connection_error"));
    assert.ok(!regexp.test("cluster.outbound|443||api.openai.com.upstream_rq_total"));
  });
});
