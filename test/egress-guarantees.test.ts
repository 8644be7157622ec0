import { strict as assert } from "assert";
import { renderDocuments } from "../cli/render";
import type { KubernetesObject } from "../components/kubernetes-object";
import { loadStackFile } from "../stacks/load-config";
import { INTERNAL_IPV4_RANGES, INTERNAL_IPV6_RANGES, isInternalCidr } from "../stacks/internal-ranges";
import { projectStack, UNSEEN_STACK_FILE } from "./support/stacks";

/**
 * The properties a prod render must have (issue 2, "Done when"), checked on the rendered objects
 * alone, without the builders' help: the same checks run on a stack the project never shipped.
 */
const prodRenders: [string, () => KubernetesObject[]][] = [
  ["the prod stack", () => renderDocuments(projectStack("prod"))],
  ["an unseen stack file", () => renderDocuments(loadStackFile(UNSEEN_STACK_FILE))],
];

for (const [title, render] of prodRenders) {
  describe(`egress guarantees of ${title}`, () => {
    let docs: any[];
    let gatewayNamespace: string;
    let tenants: string[];
    before(() => {
      docs = render();
      gatewayNamespace = docs.find(
        (d) => d.kind === "Namespace" && d.metadata.labels?.["mesh-egress.io/role"],
      ).metadata.name;
      tenants = docs
        .filter((d) => d.kind === "Namespace" && d.metadata.labels?.["mesh-egress.io/tenant"])
        .map((d) => d.metadata.name);
      assert.ok(tenants.length >= 3, "the stack has tenants to check");
    });
    const ofKind = (kind: string) => docs.filter((d) => d.kind === kind);

    it("gives every tenant a REGISTRY_ONLY Sidecar without */* hosts", () => {
      for (const tenant of tenants) {
        const sidecars = ofKind("Sidecar").filter(
          (s) => s.metadata.namespace === tenant && !s.spec.workloadSelector,
        );
        assert.equal(sidecars.length, 1, `${tenant} has one namespace-wide Sidecar`);
        assert.equal(sidecars[0].spec.outboundTrafficPolicy.mode, "REGISTRY_ONLY");
        const hosts = sidecars[0].spec.egress.flatMap((e: any) => e.hosts);
        assert.ok(!hosts.includes("*/*"), `${tenant} does not import every namespace`);
      }
    });

    it("gives every tenant a namespace-wide default-deny egress NetworkPolicy that opens no external ipBlock", () => {
      for (const tenant of tenants) {
        const policies = ofKind("NetworkPolicy").filter((p) => p.metadata.namespace === tenant);
        const namespaceWide = policies.filter(
          (p) => Object.keys(p.spec.podSelector ?? {}).length === 0 && p.spec.policyTypes.includes("Egress"),
        );
        assert.equal(namespaceWide.length, 1, `${tenant} has a namespace-wide egress policy`);
        for (const p of policies) {
          assert.ok(
            !JSON.stringify(p.spec).includes("ipBlock"),
            `${tenant}/${p.metadata.name} opens no ipBlock`,
          );
        }
      }
    });

    it("runs the gateway as ClusterIP, from at least 3 replicas, with a PDB and zone spread", () => {
      const release = ofKind("HelmRelease").find((r) => r.spec.chart.spec.chart === "gateway");
      const values = release.spec.values;
      assert.equal(values.service.type, "ClusterIP");
      assert.equal(values.autoscaling.enabled, true);
      assert.ok(values.autoscaling.minReplicas >= 3);
      assert.ok(values.autoscaling.maxReplicas >= 10);
      assert.ok(values.podDisruptionBudget?.maxUnavailable || values.podDisruptionBudget?.minAvailable);
      assert.ok(
        values.topologySpreadConstraints.some((c: any) => c.topologyKey === "topology.kubernetes.io/zone"),
        "zone spread",
      );
    });

    it("resolves every ServiceEntry by DNS and exports it to named namespaces only", () => {
      assert.ok(ofKind("ServiceEntry").length > 0);
      for (const entry of ofKind("ServiceEntry")) {
        assert.equal(entry.spec.resolution, "DNS", entry.metadata.name);
        assert.ok(
          Array.isArray(entry.spec.exportTo) && entry.spec.exportTo.length > 0,
          `${entry.metadata.name} exportTo`,
        );
        assert.ok(!entry.spec.exportTo.includes("*"), `${entry.metadata.name} is not exported everywhere`);
      }
    });

    it("authorizes TLS services by SNI, never by HTTP host", () => {
      const tlsHosts = new Set(
        ofKind("ServiceEntry")
          .filter((e) => e.spec.ports.every((p: any) => p.protocol === "TLS"))
          .flatMap((e) => e.spec.hosts),
      );
      assert.ok(tlsHosts.size > 0);
      const authorizedBySni = new Set<string>();
      for (const policy of ofKind("AuthorizationPolicy")) {
        for (const rule of policy.spec.rules ?? []) {
          const hosts = (rule.to ?? []).flatMap((t: any) => t.operation?.hosts ?? []);
          for (const host of hosts)
            assert.ok(!tlsHosts.has(host), `${policy.metadata.name} matches TLS host ${host} by HTTP host`);
          for (const condition of rule.when ?? []) {
            if (condition.key === "connection.sni")
              condition.values.forEach((v: string) => authorizedBySni.add(v));
          }
        }
      }
      for (const host of tlsHosts) assert.ok(authorizedBySni.has(host), `${host} is authorized by SNI`);
    });

    it("keeps origination rules gateway-only, with SNI and SANs, never skipping verification", () => {
      const external = new Set(ofKind("ServiceEntry").flatMap((e) => e.spec.hosts));
      const origination = ofKind("DestinationRule").filter((r) => external.has(r.spec.host));
      assert.ok(origination.length > 0);
      for (const rule of origination) {
        assert.equal(rule.metadata.namespace, gatewayNamespace);
        assert.deepEqual(rule.spec.exportTo, ["."]);
        for (const setting of rule.spec.trafficPolicy.portLevelSettings) {
          assert.ok(["SIMPLE", "MUTUAL"].includes(setting.tls.mode), rule.metadata.name);
          assert.ok(setting.tls.sni, `${rule.metadata.name} sets SNI`);
          assert.ok(setting.tls.subjectAltNames?.length > 0, `${rule.metadata.name} sets SANs`);
          assert.notEqual(setting.tls.insecureSkipVerify, true);
        }
      }
    });

    it("keeps the gateway from reaching private, shared, loopback or link-local ranges", () => {
      const policies = ofKind("NetworkPolicy").filter(
        (p) =>
          p.metadata.namespace === gatewayNamespace &&
          p.spec.podSelector?.matchLabels?.istio === "egressgateway",
      );
      // NetworkPolicies add up: every one that selects the gateway pods counts.
      assert.ok(policies.length >= 1);
      const blocks = policies.flatMap((policy) =>
        policy.spec.egress.flatMap((rule: any) => (rule.to ?? []).filter((p: any) => p.ipBlock)),
      );
      assert.ok(blocks.length > 0);
      for (const { ipBlock } of blocks) {
        if (ipBlock.cidr === "0.0.0.0/0")
          assert.deepEqual([...ipBlock.except].sort(), [...INTERNAL_IPV4_RANGES].sort());
        else if (ipBlock.cidr === "::/0")
          assert.deepEqual([...ipBlock.except].sort(), [...INTERNAL_IPV6_RANGES].sort());
        else assert.ok(!isInternalCidr(ipBlock.cidr), `${ipBlock.cidr} is public`);
      }
    });
  });
}
