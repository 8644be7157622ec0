import * as assert from "node:assert/strict";
import { KubernetesObject } from "../contract";
import { meshConfigForAccessLog } from "../../components/gateway-access-log";
import { gatewayHaDisruptionBudget } from "../rules/gateway-integrity/gateway-ha-disruption-budget";
import { gatewayHaMinReplicas } from "../rules/gateway-integrity/gateway-ha-min-replicas";
import { gatewayHaZoneSpread } from "../rules/gateway-integrity/gateway-ha-zone-spread";
import { gatewayEgressExcludesInternalRanges } from "../rules/gateway-integrity/gateway-egress-excludes-internal-ranges";
import { gatewayServiceClusterIp } from "../rules/gateway-integrity/gateway-service-cluster-ip";
import { controlPlaneScopesGateways } from "../rules/gateway-integrity/control-plane-scopes-gateways";
import { gatewaySelectorOnlyInPlatformNamespace } from "../rules/gateway-integrity/gateway-selector-only-in-platform-namespace";
import { gatewayServerHostsNamespaceQualified } from "../rules/gateway-integrity/gateway-server-hosts-namespace-qualified";
import { gatewayRoutesStripInternalHeaders } from "../rules/gateway-integrity/gateway-routes-strip-internal-headers";
import { gatewayRoutesToDeclaredHost } from "../rules/gateway-integrity/gateway-routes-to-declared-host";
import { meshRoutesExternalHostsViaGateway } from "../rules/gateway-integrity/mesh-routes-external-hosts-via-gateway";
import { compliantPlatform, find, GATEWAY_CLUSTER_LOCAL, GATEWAY_NS, Mutable } from "./compliant-platform";
import { assertOnlyRuleFires, assertRulePasses, rulesFired } from "./rule-harness";

const values = (objects: KubernetesObject[]): Mutable =>
  find(objects, "HelmRelease", "istio-egressgateway").spec.values;

/**
 * The gateway as `pulumi preview` shows a helm.v4.Chart: the Chart component plus its rendered
 * Deployment, HorizontalPodAutoscaler and PodDisruptionBudget (no Flux HelmRelease).
 */
function renderedGateway(): KubernetesObject[] {
  const podLabels = { app: "istio-egressgateway", istio: "egressgateway" };
  const objects = compliantPlatform().filter((o) => o.kind !== "HelmRelease" && o.kind !== "HelmRepository");
  objects.push(
    {
      apiVersion: "helm.sh/v4",
      kind: "Chart",
      metadata: { name: "istio-egressgateway", namespace: GATEWAY_NS },
      spec: {
        chart: "gateway",
        version: "1.30.3",
        values: { service: { type: "ClusterIP" }, labels: { istio: "egressgateway" } },
      },
    },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "istio-egressgateway", namespace: GATEWAY_NS, labels: podLabels },
      spec: {
        selector: { matchLabels: podLabels },
        template: {
          metadata: { labels: { ...podLabels, "sidecar.istio.io/inject": "true" } },
          spec: {
            containers: [{ name: "istio-proxy", image: "auto" }],
            topologySpreadConstraints: [
              {
                topologyKey: "topology.kubernetes.io/zone",
                maxSkew: 1,
                whenUnsatisfiable: "DoNotSchedule",
                labelSelector: { matchLabels: podLabels },
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: { name: "istio-egressgateway", namespace: GATEWAY_NS },
      spec: {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "istio-egressgateway" },
        minReplicas: 3,
        maxReplicas: 10,
      },
    },
    {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: "istio-egressgateway", namespace: GATEWAY_NS },
      spec: { minAvailable: 1, selector: { matchLabels: podLabels } },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "istio-egressgateway", namespace: GATEWAY_NS },
      spec: { type: "ClusterIP", selector: podLabels, ports: [{ name: "https", port: 443 }] },
    },
  );
  return objects;
}

describe("gateway integrity rules", () => {
  describe("gateway-ha-min-replicas", () => {
    it("accepts autoscaling from 3 replicas in the chart values", () => {
      assertRulePasses(compliantPlatform(), gatewayHaMinReplicas);
    });

    it("flags autoscaling from 1 replica", () => {
      const objects = compliantPlatform();
      values(objects).autoscaling.minReplicas = 1;
      const [f] = assertOnlyRuleFires(objects, gatewayHaMinReplicas);
      assert.match(f?.message ?? "", /scales from 1 replica\(s\), fewer than 3/);
    });

    it("flags disabled autoscaling even with a fixed replica count of 3", () => {
      const objects = compliantPlatform();
      values(objects).autoscaling.enabled = false;
      values(objects).replicaCount = 3;
      const [f] = assertOnlyRuleFires(objects, gatewayHaMinReplicas);
      assert.match(f?.message ?? "", /no HorizontalPodAutoscaler/);
    });

    it("flags missing autoscaling values, since the chart then starts from 1 replica", () => {
      const objects = compliantPlatform();
      delete values(objects).autoscaling;
      assertOnlyRuleFires(objects, gatewayHaMinReplicas);
    });

    it("accepts the rendered Deployment with an HPA from 3 replicas", () => {
      assert.deepEqual(rulesFired(renderedGateway()), []);
    });

    it("flags the rendered Deployment when its HPA starts at 2", () => {
      const objects = renderedGateway();
      find(objects, "HorizontalPodAutoscaler", "istio-egressgateway").spec.minReplicas = 2;
      const [f] = assertOnlyRuleFires(objects, gatewayHaMinReplicas);
      assert.equal(f?.kind, "Deployment");
    });

    it("flags the rendered Deployment without an HPA", () => {
      const objects = renderedGateway().filter((o) => o.kind !== "HorizontalPodAutoscaler");
      assertOnlyRuleFires(objects, gatewayHaMinReplicas);
    });

    it("has nothing to judge when the input holds no gateway deployment at all", () => {
      const objects = compliantPlatform().filter((o) => o.kind !== "HelmRelease");
      assertRulePasses(objects, gatewayHaMinReplicas);
    });
  });

  describe("gateway-ha-disruption-budget", () => {
    it("accepts a podDisruptionBudget with minAvailable", () => {
      assertRulePasses(compliantPlatform(), gatewayHaDisruptionBudget);
    });

    it("accepts a podDisruptionBudget with maxUnavailable", () => {
      const objects = compliantPlatform();
      values(objects).podDisruptionBudget = { maxUnavailable: 1 };
      assertRulePasses(objects, gatewayHaDisruptionBudget);
    });

    it("flags chart values without a podDisruptionBudget", () => {
      const objects = compliantPlatform();
      delete values(objects).podDisruptionBudget;
      assertOnlyRuleFires(objects, gatewayHaDisruptionBudget);
    });

    it("flags a budget of minAvailable 0", () => {
      const objects = compliantPlatform();
      values(objects).podDisruptionBudget = { minAvailable: 0 };
      assertOnlyRuleFires(objects, gatewayHaDisruptionBudget);
    });

    it("flags a rendered gateway whose PodDisruptionBudget selects other pods", () => {
      const objects = renderedGateway();
      find(objects, "PodDisruptionBudget", "istio-egressgateway").spec.selector = {
        matchLabels: { app: "other" },
      };
      assertOnlyRuleFires(objects, gatewayHaDisruptionBudget);
    });
  });

  describe("gateway-ha-zone-spread", () => {
    it("accepts a zone topologySpreadConstraint", () => {
      assertRulePasses(compliantPlatform(), gatewayHaZoneSpread);
    });

    it("flags a spread over hostnames only", () => {
      const objects = compliantPlatform();
      values(objects).topologySpreadConstraints = values(objects).topologySpreadConstraints.filter(
        (c: Mutable) => c.topologyKey !== "topology.kubernetes.io/zone",
      );
      assertOnlyRuleFires(objects, gatewayHaZoneSpread);
    });

    it("accepts zone anti-affinity on a rendered Deployment instead of a spread constraint", () => {
      const objects = renderedGateway();
      const spec = find(objects, "Deployment", "istio-egressgateway").spec.template.spec;
      delete spec.topologySpreadConstraints;
      spec.affinity = {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 100,
              podAffinityTerm: { topologyKey: "topology.kubernetes.io/zone", labelSelector: {} },
            },
          ],
        },
      };
      assertRulePasses(objects, gatewayHaZoneSpread);
    });

    it("flags a rendered Deployment without zone spread", () => {
      const objects = renderedGateway();
      delete find(objects, "Deployment", "istio-egressgateway").spec.template.spec.topologySpreadConstraints;
      assertOnlyRuleFires(objects, gatewayHaZoneSpread);
    });
  });

  describe("gateway-service-cluster-ip", () => {
    it("accepts service.type ClusterIP", () => {
      assertRulePasses(compliantPlatform(), gatewayServiceClusterIp);
    });

    it("flags chart values without service.type, since the chart defaults to LoadBalancer", () => {
      const objects = compliantPlatform();
      delete values(objects).service;
      const [f] = assertOnlyRuleFires(objects, gatewayServiceClusterIp);
      assert.match(f?.message ?? "", /LoadBalancer/);
    });

    it("flags a NodePort service type", () => {
      const objects = compliantPlatform();
      values(objects).service.type = "NodePort";
      assertOnlyRuleFires(objects, gatewayServiceClusterIp);
    });

    it("flags a rendered gateway Service of type LoadBalancer", () => {
      const objects = renderedGateway();
      find(objects, "Service", "istio-egressgateway").spec.type = "LoadBalancer";
      const [f] = assertOnlyRuleFires(objects, gatewayServiceClusterIp);
      assert.equal(f?.kind, "Service");
    });

    it("flags a helm Chart whose values expose external IPs", () => {
      const objects = renderedGateway();
      find(objects, "Chart", "istio-egressgateway").spec.values.service.externalIPs = ["198.51.100.7"];
      assertOnlyRuleFires(objects, gatewayServiceClusterIp);
    });

    it("ignores an ingress gateway release of the same chart", () => {
      const objects = compliantPlatform();
      objects.push({
        apiVersion: "helm.toolkit.fluxcd.io/v2",
        kind: "HelmRelease",
        metadata: { name: "istio-ingressgateway", namespace: "istio-ingress" },
        spec: {
          chart: { spec: { chart: "gateway", version: "1.30.3" } },
          values: { service: { type: "LoadBalancer" } },
        },
      });
      assertRulePasses(objects, gatewayServiceClusterIp);
    });
  });

  describe("gateway-egress-excludes-internal-ranges", () => {
    it("accepts 0.0.0.0/0 and ::/0 with every internal range excepted", () => {
      assertRulePasses(compliantPlatform(), gatewayEgressExcludesInternalRanges);
    });

    const internetRule = (objects: KubernetesObject[]): Mutable =>
      find(objects, "NetworkPolicy", "egress-gateway", GATEWAY_NS).spec.egress[2];

    for (const range of ["169.254.0.0/16", "10.0.0.0/8", "100.64.0.0/10"]) {
      it(`flags an IPv4 ipBlock that no longer excepts ${range}`, () => {
        const objects = compliantPlatform();
        const block = internetRule(objects).to[0].ipBlock;
        block.except = block.except.filter((c: string) => c !== range);
        const [f] = assertOnlyRuleFires(objects, gatewayEgressExcludesInternalRanges);
        assert.match(f?.message ?? "", new RegExp(`reach internal ranges ${range.replace(/\./g, "\\.")}`));
      });
    }

    it("flags ::/0 without the IPv6 excepts", () => {
      const objects = compliantPlatform();
      delete internetRule(objects).to[1].ipBlock.except;
      const [f] = assertOnlyRuleFires(objects, gatewayEgressExcludesInternalRanges);
      assert.match(f?.message ?? "", /fc00::\/7, fe80::\/10, ::1\/128/);
    });

    it("flags an ipBlock that allows a private range outright", () => {
      const objects = compliantPlatform();
      internetRule(objects).to.push({ ipBlock: { cidr: "172.20.0.0/16" } });
      assertOnlyRuleFires(objects, gatewayEgressExcludesInternalRanges);
    });

    describe("a node-local DNS cache address", () => {
      const dnsRule = (objects: KubernetesObject[]): Mutable =>
        find(objects, "NetworkPolicy", "egress-gateway", GATEWAY_NS).spec.egress[0];
      const declareNodeLocalDns = (objects: KubernetesObject[], cidrs: string): void => {
        const namespace = find(objects, "Namespace", GATEWAY_NS);
        namespace.metadata.annotations = { "mesh-egress.io/node-local-dns": cidrs };
      };

      it("accepts the declared address as one host on port 53 beside the DNS pods", () => {
        const objects = compliantPlatform();
        declareNodeLocalDns(objects, "169.254.20.10/32");
        dnsRule(objects).to.push({ ipBlock: { cidr: "169.254.20.10/32" } });
        assertRulePasses(objects, gatewayEgressExcludesInternalRanges);
      });

      it("flags an internal address on port 53 that the gateway Namespace does not declare", () => {
        const objects = compliantPlatform();
        dnsRule(objects).to.push({ ipBlock: { cidr: "169.254.20.10/32" } });
        const [f] = assertOnlyRuleFires(objects, gatewayEgressExcludesInternalRanges);
        assert.match(
          f?.message ?? "",
          /ipBlock 169\.254\.20\.10\/32 lets the gateway reach internal ranges 169\.254\.0\.0\/16/,
        );
      });

      it("flags the declared address on another port than DNS", () => {
        const objects = compliantPlatform();
        declareNodeLocalDns(objects, "169.254.20.10/32");
        internetRule(objects).to.push({ ipBlock: { cidr: "169.254.20.10/32" } });
        assertOnlyRuleFires(objects, gatewayEgressExcludesInternalRanges);
      });

      it("flags a declared range, which is no single cache address", () => {
        const objects = compliantPlatform();
        declareNodeLocalDns(objects, "169.254.0.0/16");
        dnsRule(objects).to.push({ ipBlock: { cidr: "169.254.0.0/16" } });
        assertOnlyRuleFires(objects, gatewayEgressExcludesInternalRanges);
      });
    });

    it("flags an egress rule without peers", () => {
      const objects = compliantPlatform();
      delete internetRule(objects).to;
      assertOnlyRuleFires(objects, gatewayEgressExcludesInternalRanges);
    });

    it("flags a gateway namespace with no egress NetworkPolicy", () => {
      const objects = compliantPlatform().filter(
        (o) => !(o.kind === "NetworkPolicy" && o.metadata.namespace === GATEWAY_NS),
      );
      const [f] = assertOnlyRuleFires(objects, gatewayEgressExcludesInternalRanges);
      assert.deepEqual([f?.kind, f?.name], ["Namespace", GATEWAY_NS]);
    });

    it("flags the chart's own NetworkPolicy, which allows all egress", () => {
      const objects = compliantPlatform();
      values(objects).global = { networkPolicy: { enabled: true } };
      const [f] = assertOnlyRuleFires(objects, gatewayEgressExcludesInternalRanges);
      assert.equal(f?.kind, "HelmRelease");
    });
  });

  describe("gateway-selector-only-in-platform-namespace", () => {
    it("accepts egress Gateways in the platform namespace", () => {
      assertRulePasses(compliantPlatform(), gatewaySelectorOnlyInPlatformNamespace);
    });

    it("flags a Gateway in a tenant namespace that selects the egress gateway's pods", () => {
      const objects = compliantPlatform();
      objects.push({
        apiVersion: "networking.istio.io/v1",
        kind: "Gateway",
        metadata: { name: "shortcut", namespace: "ml" },
        spec: {
          selector: { istio: "egressgateway" },
          servers: [
            {
              port: { number: 443, name: "tls", protocol: "TLS" },
              hosts: ["ml/exfil.example.net"],
              tls: { mode: "PASSTHROUGH" },
            },
          ],
        },
      });
      const [f] = assertOnlyRuleFires(objects, gatewaySelectorOnlyInPlatformNamespace);
      assert.deepEqual([f?.namespace, f?.name], ["ml", "shortcut"]);
    });

    it("ignores Gateways that select other gateways' pods", () => {
      const objects = compliantPlatform();
      objects.push({
        apiVersion: "networking.istio.io/v1",
        kind: "Gateway",
        metadata: { name: "public", namespace: "ml" },
        spec: {
          selector: { istio: "ingressgateway" },
          servers: [{ port: { number: 443, name: "https", protocol: "HTTPS" }, hosts: ["*"] }],
        },
      });
      assert.deepEqual(rulesFired(objects), []);
    });
  });

  describe("gateway-server-hosts-namespace-qualified", () => {
    it("accepts <namespace>/<host> server hosts", () => {
      assertRulePasses(compliantPlatform(), gatewayServerHostsNamespaceQualified);
    });

    for (const host of [
      "api.stripe.com",
      "*/api.stripe.com",
      "*",
      `${GATEWAY_NS}/*`,
      `${GATEWAY_NS}/*.stripe.com`,
    ]) {
      it(`flags the server host ${host}`, () => {
        const objects = compliantPlatform();
        find(objects, "Gateway", "egress-stripe").spec.servers[0].hosts = [host];
        assertOnlyRuleFires(objects, gatewayServerHostsNamespaceQualified);
      });
    }
  });

  describe("control-plane-scopes-gateways", () => {
    const istiod = (values: Record<string, unknown>): KubernetesObject => ({
      apiVersion: "helm.sh/v4",
      kind: "Chart",
      metadata: { name: "istiod", namespace: "istio-system" },
      spec: {
        chart: "istiod",
        values: {
          meshConfig: {
            outboundTrafficPolicy: { mode: "REGISTRY_ONLY" },
            serviceSettings: GATEWAY_CLUSTER_LOCAL,
            ...meshConfigForAccessLog(),
          },
          ...values,
        },
      },
    });

    it("accepts istiod with PILOT_SCOPE_GATEWAY_TO_NAMESPACE=true, at the top level or under pilot", () => {
      assertRulePasses(
        [...compliantPlatform(), istiod({ env: { PILOT_SCOPE_GATEWAY_TO_NAMESPACE: "true" } })],
        controlPlaneScopesGateways,
      );
      assertRulePasses(
        [...compliantPlatform(), istiod({ pilot: { env: { PILOT_SCOPE_GATEWAY_TO_NAMESPACE: true } } })],
        controlPlaneScopesGateways,
      );
    });

    it("flags istiod that leaves gateways unscoped", () => {
      const [f] = assertOnlyRuleFires([...compliantPlatform(), istiod({})], controlPlaneScopesGateways);
      assert.match(f?.message ?? "", /without PILOT_SCOPE_GATEWAY_TO_NAMESPACE=true \(unset\)/);
    });

    it("flags istiod with the scope switched off", () => {
      const objects = [
        ...compliantPlatform(),
        istiod({ env: { PILOT_SCOPE_GATEWAY_TO_NAMESPACE: "false" } }),
      ];
      assertOnlyRuleFires(objects, controlPlaneScopesGateways);
    });
  });

  describe("mesh-routes-external-hosts-via-gateway", () => {
    it("accepts mesh routes that go to the gateway's Service", () => {
      assertRulePasses(compliantPlatform(), meshRoutesExternalHostsViaGateway);
    });

    it("flags a tenant VirtualService that sends an external host straight out", () => {
      const objects = compliantPlatform();
      objects.push({
        apiVersion: "networking.istio.io/v1",
        kind: "VirtualService",
        metadata: { name: "direct-openai", namespace: "ml" },
        spec: {
          exportTo: ["."],
          hosts: ["api.openai.com"],
          http: [{ route: [{ destination: { host: "api.openai.com", port: { number: 443 } } }] }],
        },
      });
      const [f] = assertOnlyRuleFires(objects, meshRoutesExternalHostsViaGateway);
      assert.deepEqual([f?.namespace, f?.name], ["ml", "direct-openai"]);
    });

    it("flags a platform route whose mesh match goes straight to the external host", () => {
      const objects = compliantPlatform();
      find(objects, "VirtualService", "egress-stripe").spec.tls[0].route[0].destination = {
        host: "api.stripe.com",
        port: { number: 443 },
      };
      assertOnlyRuleFires(objects, meshRoutesExternalHostsViaGateway);
    });
  });

  describe("gateway-routes-strip-internal-headers", () => {
    it("accepts gateway-side HTTP routes that remove every internal header", () => {
      assertRulePasses(compliantPlatform(), gatewayRoutesStripInternalHeaders);
    });

    it("flags a gateway-side route that removes only x-forwarded-client-cert, naming the four it leaks", () => {
      const objects = compliantPlatform();
      find(objects, "VirtualService", "egress-openai").spec.http[1].headers.request.remove = [
        "x-forwarded-client-cert",
      ];
      const [f] = assertOnlyRuleFires(objects, gatewayRoutesStripInternalHeaders);
      assert.match(
        f?.message ?? "",
        /sends x-envoy-peer-metadata, x-envoy-peer-metadata-id, x-forwarded-for, x-envoy-attempt-count to the external host/,
      );
    });

    it("does not judge the sidecars' mesh route, which stays in the cluster", () => {
      const objects = compliantPlatform();
      delete find(objects, "VirtualService", "egress-openai").spec.http[0].headers;
      assertRulePasses(objects, gatewayRoutesStripInternalHeaders);
    });
  });

  describe("gateway-routes-to-declared-host", () => {
    it("accepts gateway-side routes to their own host", () => {
      assertRulePasses(compliantPlatform(), gatewayRoutesToDeclaredHost);
    });

    it("flags a gateway-side route that forwards to another external host", () => {
      const objects = compliantPlatform();
      find(objects, "VirtualService", "egress-openai").spec.http[1].route[0].destination.host =
        "exfil.example.net";
      const [f] = assertOnlyRuleFires(objects, gatewayRoutesToDeclaredHost);
      assert.match(f?.message ?? "", /sends api\.openai\.com traffic to exfil\.example\.net/);
    });

    it("flags a gateway-side route that forwards into the cluster", () => {
      const objects = compliantPlatform();
      find(objects, "VirtualService", "egress-stripe").spec.tcp[0].route[0].destination.host =
        "vault.vault.svc.cluster.local";
      assertOnlyRuleFires(objects, gatewayRoutesToDeclaredHost);
    });
  });
});
