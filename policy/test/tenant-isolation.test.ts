import * as assert from "node:assert/strict";
import { namespaceInjectionLabelsNotMixed } from "../rules/tenant-isolation/namespace-injection-labels-not-mixed";
import { networkPolicyNoInternetEgress } from "../rules/tenant-isolation/network-policy-no-internet-egress";
import { sidecarEgressHostsScoped } from "../rules/tenant-isolation/sidecar-egress-hosts-scoped";
import { sidecarImportsGatewayHostsByName } from "../rules/tenant-isolation/sidecar-imports-gateway-hosts-by-name";
import { sidecarRegistryOnly } from "../rules/tenant-isolation/sidecar-registry-only";
import { tenantEgressDefaultDeny } from "../rules/tenant-isolation/tenant-egress-default-deny";
import { tenantEgressPlatformNamespacesPortScoped } from "../rules/tenant-isolation/tenant-egress-platform-namespaces-port-scoped";
import { tenantSidecarInjectionEnabled } from "../rules/tenant-isolation/tenant-sidecar-injection-enabled";
import { compliantPlatform, find, GATEWAY_NS } from "./compliant-platform";
import { assertOnlyRuleFires, assertRulePasses } from "./rule-harness";

describe("tenant isolation rules", () => {
  describe("sidecar-registry-only", () => {
    it("accepts a namespace-wide REGISTRY_ONLY Sidecar with an explicit host list in every tenant", () => {
      assertRulePasses(compliantPlatform(), sidecarRegistryOnly);
    });

    it("flags a tenant namespace without a namespace-wide Sidecar", () => {
      const objects = compliantPlatform().filter(
        (o) => !(o.kind === "Sidecar" && o.metadata.namespace === "ml"),
      );
      const [f] = assertOnlyRuleFires(objects, sidecarRegistryOnly);
      assert.equal(f?.kind, "Namespace");
      assert.equal(f?.name, "ml");
    });

    it("flags a tenant Sidecar whose outbound policy is ALLOW_ANY", () => {
      const objects = compliantPlatform();
      find(objects, "Sidecar", "default", "payments").spec.outboundTrafficPolicy.mode = "ALLOW_ANY";
      const [f] = assertOnlyRuleFires(objects, sidecarRegistryOnly);
      assert.match(f?.message ?? "", /mode is ALLOW_ANY in tenant namespace payments/);
    });

    it("flags a tenant Sidecar that leaves the outbound policy to the mesh default", () => {
      const objects = compliantPlatform();
      delete find(objects, "Sidecar", "default", "support").spec.outboundTrafficPolicy;
      assertOnlyRuleFires(objects, sidecarRegistryOnly);
    });

    it("flags a tenant Sidecar that lists no egress hosts", () => {
      const objects = compliantPlatform();
      delete find(objects, "Sidecar", "default", "support").spec.egress;
      const [f] = assertOnlyRuleFires(objects, sidecarRegistryOnly);
      assert.match(f?.message ?? "", /lists no egress hosts/);
    });

    it("flags a workload Sidecar that switches to ALLOW_ANY", () => {
      const objects = compliantPlatform();
      objects.push({
        apiVersion: "networking.istio.io/v1",
        kind: "Sidecar",
        metadata: { name: "batch-open", namespace: "ml" },
        spec: {
          workloadSelector: { labels: { app: "batch" } },
          outboundTrafficPolicy: { mode: "ALLOW_ANY" },
        },
      });
      const [f] = assertOnlyRuleFires(objects, sidecarRegistryOnly);
      assert.equal(f?.name, "batch-open");
    });
  });

  describe("sidecar-egress-hosts-scoped", () => {
    it("accepts ./*, istio-system/* and gateway-namespace hosts", () => {
      assertRulePasses(compliantPlatform(), sidecarEgressHostsScoped);
    });

    for (const host of ["*/*", "*"]) {
      it(`flags the egress host ${host}`, () => {
        const objects = compliantPlatform();
        find(objects, "Sidecar", "default", "payments").spec.egress[0].hosts.push(host);
        assertOnlyRuleFires(objects, sidecarEgressHostsScoped);
      });
    }
  });

  describe("sidecar-imports-gateway-hosts-by-name", () => {
    it("accepts tenant Sidecars that name each gateway-namespace host", () => {
      assertRulePasses(compliantPlatform(), sidecarImportsGatewayHostsByName);
    });

    for (const host of ["istio-egress/*", "istio-egress/*.stripe.com"]) {
      it(`flags the tenant egress host ${host}`, () => {
        const objects = compliantPlatform();
        find(objects, "Sidecar", "default", "payments").spec.egress[0].hosts.push(host);
        const [finding] = assertOnlyRuleFires(objects, sidecarImportsGatewayHostsByName);
        assert.equal(finding?.namespace, "payments");
      });
    }

    it("leaves wildcards into other namespaces to the other isolation rules", () => {
      const objects = compliantPlatform();
      find(objects, "Sidecar", "default", "payments").spec.egress[0].hosts.push("shared-cache/*");
      assertRulePasses(objects, sidecarImportsGatewayHostsByName);
    });
  });

  describe("tenant-egress-default-deny", () => {
    it("accepts a podSelector {} NetworkPolicy of type Egress in every tenant", () => {
      assertRulePasses(compliantPlatform(), tenantEgressDefaultDeny);
    });

    it("flags a tenant without an egress NetworkPolicy", () => {
      const objects = compliantPlatform().filter(
        (o) => !(o.kind === "NetworkPolicy" && o.metadata.namespace === "payments"),
      );
      const [f] = assertOnlyRuleFires(objects, tenantEgressDefaultDeny);
      assert.equal(f?.name, "payments");
    });

    it("flags an egress NetworkPolicy that covers only some pods of the tenant", () => {
      const objects = compliantPlatform();
      find(objects, "NetworkPolicy", "egress-via-gateway", "ml").spec.podSelector = {
        matchLabels: { app: "api" },
      };
      assertOnlyRuleFires(objects, tenantEgressDefaultDeny);
    });

    it("flags a NetworkPolicy that only restricts ingress", () => {
      const objects = compliantPlatform();
      const policy = find(objects, "NetworkPolicy", "egress-via-gateway", "ml");
      policy.spec.policyTypes = ["Ingress"];
      assertOnlyRuleFires(objects, tenantEgressDefaultDeny);
    });
  });

  describe("network-policy-no-internet-egress", () => {
    it("accepts in-cluster peers and the gateway's own internet ipBlocks", () => {
      assertRulePasses(compliantPlatform(), networkPolicyNoInternetEgress);
    });

    // Public space, and what the gateway excludes but no tenant may open: metadata (link-local) and NAT64.
    for (const cidr of [
      "0.0.0.0/0",
      "8.8.8.8/32",
      "::/0",
      "2001:4860::/32",
      "169.254.169.254/32",
      "64:ff9b::/96",
    ]) {
      it(`flags a tenant ipBlock ${cidr}`, () => {
        const objects = compliantPlatform();
        find(objects, "NetworkPolicy", "egress-via-gateway", "payments").spec.egress.push({
          to: [{ ipBlock: { cidr } }],
        });
        const [f] = assertOnlyRuleFires(objects, networkPolicyNoInternetEgress);
        assert.match(f?.message ?? "", /reaches beyond the ranges a tenant may open/);
      });
    }

    it("flags 0.0.0.0/0 even when it excepts the private ranges", () => {
      const objects = compliantPlatform();
      find(objects, "NetworkPolicy", "egress-via-gateway", "payments").spec.egress.push({
        to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] } }],
      });
      assertOnlyRuleFires(objects, networkPolicyNoInternetEgress);
    });

    it("accepts an ipBlock inside private address space", () => {
      const objects = compliantPlatform();
      find(objects, "NetworkPolicy", "egress-via-gateway", "payments").spec.egress.push({
        to: [{ ipBlock: { cidr: "10.20.0.0/16" } }],
      });
      assertRulePasses(objects, networkPolicyNoInternetEgress);
    });

    it("flags an egress rule without peers, which allows every destination", () => {
      const objects = compliantPlatform();
      find(objects, "NetworkPolicy", "egress-via-gateway", "ml").spec.egress.push({ ports: [{ port: 443 }] });
      const [f] = assertOnlyRuleFires(objects, networkPolicyNoInternetEgress);
      assert.match(f?.message ?? "", /has no "to" peers/);
    });

    it("accepts a DNS-only egress rule without peers", () => {
      const objects = compliantPlatform();
      find(objects, "NetworkPolicy", "egress-via-gateway", "ml").spec.egress.push({
        ports: [
          { port: 53, protocol: "UDP" },
          { port: 53, protocol: "TCP" },
        ],
      });
      assertRulePasses(objects, networkPolicyNoInternetEgress);
    });

    it("flags an internet ipBlock in a namespace that is not a tenant either", () => {
      const objects = compliantPlatform();
      objects.push({
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: "open", namespace: "monitoring" },
        spec: {
          podSelector: {},
          policyTypes: ["Egress"],
          egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }],
        },
      });
      const [f] = assertOnlyRuleFires(objects, networkPolicyNoInternetEgress);
      assert.equal(f?.namespace, "monitoring");
    });

    it("leaves the gateway namespace to gateway-egress-excludes-internal-ranges", () => {
      const objects = compliantPlatform();
      const policy = find(objects, "NetworkPolicy", "egress-gateway", GATEWAY_NS);
      assert.ok(JSON.stringify(policy).includes("0.0.0.0/0"));
      assertRulePasses(objects, networkPolicyNoInternetEgress);
    });
  });

  describe("tenant-egress-platform-namespaces-port-scoped", () => {
    const inClusterRule = (objects: ReturnType<typeof compliantPlatform>) =>
      find(objects, "NetworkPolicy", "egress-via-gateway", "payments").spec.egress[3];

    it("accepts an in-cluster rule that excludes the control plane, gateway and DNS namespaces", () => {
      assertRulePasses(compliantPlatform(), tenantEgressPlatformNamespacesPortScoped);
    });

    it("flags the catch-all namespaceSelector {} with no ports, naming every platform namespace it opens", () => {
      const objects = compliantPlatform();
      inClusterRule(objects).to = [{ namespaceSelector: {} }];
      const [f] = assertOnlyRuleFires(objects, tenantEgressPlatformNamespacesPortScoped);
      assert.match(
        f?.message ?? "",
        /egress rule 3 opens every port of istio-egress, istio-system, kube-system/,
      );
    });

    it("flags an exclusion list that forgot the DNS namespace the policy reaches on port 53 only", () => {
      const objects = compliantPlatform();
      inClusterRule(objects).to[0].namespaceSelector.matchExpressions[0].values = [
        "istio-system",
        GATEWAY_NS,
      ];
      const [f] = assertOnlyRuleFires(objects, tenantEgressPlatformNamespacesPortScoped);
      assert.match(f?.message ?? "", /opens every port of kube-system,/);
    });

    it("flags a portless rule to istiod's pods by name", () => {
      const objects = compliantPlatform();
      inClusterRule(objects).to = [
        {
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "istio-system" } },
          podSelector: { matchLabels: { app: "istiod" } },
        },
      ];
      assertOnlyRuleFires(objects, tenantEgressPlatformNamespacesPortScoped);
    });

    it("accepts a portless rule to another tenant's namespace", () => {
      const objects = compliantPlatform();
      inClusterRule(objects).to = [
        { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ml" } } },
      ];
      assertRulePasses(objects, tenantEgressPlatformNamespacesPortScoped);
    });
  });

  describe("namespace-injection-labels-not-mixed", () => {
    it("accepts namespaces with istio-injection alone, or istio.io/rev alone", () => {
      const objects = compliantPlatform();
      const payments = find(objects, "Namespace", "payments");
      delete payments.metadata.labels["istio-injection"];
      payments.metadata.labels["istio.io/rev"] = "1-30";
      assertRulePasses(objects, namespaceInjectionLabelsNotMixed);
    });

    it("flags a namespace with both labels, where istio-injection overrides the revision", () => {
      const objects = compliantPlatform();
      find(objects, "Namespace", "payments").metadata.labels["istio.io/rev"] = "1-30";
      const [f] = assertOnlyRuleFires(objects, namespaceInjectionLabelsNotMixed);
      assert.match(f?.message ?? "", /istio-injection=enabled beside istio\.io\/rev=1-30/);
    });
  });

  describe("tenant-sidecar-injection-enabled", () => {
    it("accepts tenants labelled istio-injection=enabled", () => {
      assertRulePasses(compliantPlatform(), tenantSidecarInjectionEnabled);
    });

    it("accepts a revision label instead of istio-injection, for the revision the platform runs", () => {
      const objects = compliantPlatform();
      const platform = find(objects, "Namespace", GATEWAY_NS);
      delete platform.metadata.labels["istio-injection"];
      platform.metadata.labels["istio.io/rev"] = "1-30";
      const ns = find(objects, "Namespace", "ml");
      delete ns.metadata.labels["istio-injection"];
      ns.metadata.labels["istio.io/rev"] = "1-30";
      assertRulePasses(objects, tenantSidecarInjectionEnabled);
    });

    it("flags a tenant namespace labelled istio-injection=disabled", () => {
      const objects = compliantPlatform();
      find(objects, "Namespace", "payments").metadata.labels["istio-injection"] = "disabled";
      const [f] = assertOnlyRuleFires(objects, tenantSidecarInjectionEnabled);
      assert.match(f?.message ?? "", /disables sidecar injection/);
    });

    it("flags a tenant namespace without any injection label", () => {
      const objects = compliantPlatform();
      delete find(objects, "Namespace", "payments").metadata.labels["istio-injection"];
      assertOnlyRuleFires(objects, tenantSidecarInjectionEnabled);
    });

    it("ignores opt-outs in Kubernetes' own namespaces", () => {
      const objects = compliantPlatform();
      objects.push({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "node-exporter", namespace: "kube-system" },
        spec: { template: { metadata: { annotations: { "sidecar.istio.io/inject": "false" } }, spec: {} } },
      });
      assertRulePasses(objects, tenantSidecarInjectionEnabled);
    });
  });
});
