import * as assert from "node:assert/strict";
import { meshConfigForAccessLog } from "../../components/gateway-access-log";
import { controlPlaneRegistryOnly } from "../rules/registry/control-plane-registry-only";
import { serviceEntryExportScoped } from "../rules/registry/service-entry-export-scoped";
import { serviceEntryInPlatformNamespace } from "../rules/registry/service-entry-in-platform-namespace";
import { serviceEntryHostNotWildcardOrIp } from "../rules/registry/service-entry-host-not-wildcard-or-ip";
import { serviceEntryResolutionNotNone } from "../rules/registry/service-entry-resolution-not-none";
import { compliantPlatform, find, GATEWAY_CLUSTER_LOCAL, GATEWAY_NS } from "./compliant-platform";
import { assertOnlyRuleFires, assertRulePasses, findings, rulesFired } from "./rule-harness";

describe("registry rules", () => {
  it("find nothing wrong in the compliant platform", () => {
    assert.deepEqual(rulesFired(compliantPlatform()), []);
  });

  describe("service-entry-host-not-wildcard-or-ip", () => {
    it("accepts exact DNS names", () => {
      assertRulePasses(compliantPlatform(), serviceEntryHostNotWildcardOrIp);
    });

    for (const host of ["*.stripe.com", "*", "203.0.113.10", "203.0.113.0/24", "2001:db8::1"]) {
      it(`flags the ServiceEntry host ${host}`, () => {
        const objects = compliantPlatform();
        find(objects, "ServiceEntry", "egress-stripe").spec.hosts.push(host);
        const [f] = assertOnlyRuleFires(objects, serviceEntryHostNotWildcardOrIp);
        assert.equal(f?.name, "egress-stripe");
        assert.match(f?.message ?? "", new RegExp(host.replace(/[*.]/g, "\\$&")));
      });
    }
  });

  describe("service-entry-resolution-not-none", () => {
    it("flags resolution NONE on a gateway-routed host", () => {
      const objects = compliantPlatform();
      find(objects, "ServiceEntry", "egress-openai").spec.resolution = "NONE";
      const [f] = assertOnlyRuleFires(objects, serviceEntryResolutionNotNone);
      assert.match(f?.message ?? "", /with NONE although api\.openai\.com goes through the egress gateway/);
    });

    it("flags a missing resolution, since Istio's default is NONE", () => {
      const objects = compliantPlatform();
      delete find(objects, "ServiceEntry", "egress-stripe").spec.resolution;
      assertOnlyRuleFires(objects, serviceEntryResolutionNotNone);
    });

    it("accepts STATIC resolution with explicit endpoints", () => {
      const objects = compliantPlatform();
      const entry = find(objects, "ServiceEntry", "egress-github");
      entry.spec.resolution = "STATIC";
      entry.spec.endpoints = [{ address: "140.82.112.6" }];
      assertRulePasses(objects, serviceEntryResolutionNotNone);
    });

    it("flags resolution NONE on a gateway-routed host even when the entry claims MESH_INTERNAL", () => {
      const objects = compliantPlatform();
      Object.assign(find(objects, "ServiceEntry", "egress-openai").spec, {
        location: "MESH_INTERNAL",
        resolution: "NONE",
      });
      assertOnlyRuleFires(objects, serviceEntryResolutionNotNone);
    });

    it("flags resolution NONE on a MESH_EXTERNAL ServiceEntry even when the gateway does not route it", () => {
      const objects = compliantPlatform();
      objects.push({
        apiVersion: "networking.istio.io/v1",
        kind: "ServiceEntry",
        metadata: { name: "legacy-db", namespace: "payments" },
        spec: {
          hosts: ["db.corp.example.com"],
          exportTo: ["."],
          resolution: "NONE",
          location: "MESH_EXTERNAL",
        },
      });
      const found = findings(objects).filter((f) => f.rule === serviceEntryResolutionNotNone.name);
      assert.deepEqual(
        found.map((f) => `${f.namespace}/${f.name}`),
        ["payments/legacy-db"],
      );
      assert.match(found[0]?.message ?? "", /is MESH_EXTERNAL/);
    });

    it("ignores resolution NONE on a MESH_INTERNAL ServiceEntry outside the gateway namespace", () => {
      const objects = compliantPlatform();
      objects.push({
        apiVersion: "networking.istio.io/v1",
        kind: "ServiceEntry",
        metadata: { name: "legacy-db", namespace: "payments" },
        spec: {
          hosts: ["db.corp.example.com"],
          exportTo: ["."],
          resolution: "NONE",
          location: "MESH_INTERNAL",
        },
      });
      assertRulePasses(objects, serviceEntryResolutionNotNone);
    });
  });

  describe("service-entry-export-scoped", () => {
    it("flags a ServiceEntry without exportTo", () => {
      const objects = compliantPlatform();
      delete find(objects, "ServiceEntry", "egress-partner", GATEWAY_NS).spec.exportTo;
      const [f] = assertOnlyRuleFires(objects, serviceEntryExportScoped);
      assert.match(f?.message ?? "", /ServiceEntry istio-egress\/egress-partner: has no exportTo/);
    });

    it('flags a ServiceEntry exported to "*"', () => {
      const objects = compliantPlatform();
      find(objects, "ServiceEntry", "egress-partner").spec.exportTo = ["*"];
      assertOnlyRuleFires(objects, serviceEntryExportScoped);
    });

    it("accepts exportTo naming the namespace and its tenants", () => {
      assertRulePasses(compliantPlatform(), serviceEntryExportScoped);
    });
  });

  describe("service-entry-in-platform-namespace", () => {
    it("accepts external services registered in the platform namespace", () => {
      assertRulePasses(compliantPlatform(), serviceEntryInPlatformNamespace);
    });

    it("flags a tenant that registers an external host of its own", () => {
      const objects = compliantPlatform();
      objects.push({
        apiVersion: "networking.istio.io/v1",
        kind: "ServiceEntry",
        metadata: { name: "pastebin", namespace: "ml" },
        spec: {
          hosts: ["pastebin.com"],
          exportTo: ["."],
          resolution: "DNS",
          ports: [{ number: 443, name: "tls", protocol: "TLS" }],
        },
      });
      const [f] = assertOnlyRuleFires(objects, serviceEntryInPlatformNamespace);
      assert.match(f?.message ?? "", /registers external host\(s\) pastebin\.com in namespace ml/);
    });

    it("accepts a MESH_INTERNAL ServiceEntry in a tenant namespace", () => {
      const objects = compliantPlatform();
      objects.push({
        apiVersion: "networking.istio.io/v1",
        kind: "ServiceEntry",
        metadata: { name: "vm-workload", namespace: "ml" },
        spec: {
          hosts: ["trainer.ml.internal"],
          location: "MESH_INTERNAL",
          exportTo: ["."],
          resolution: "STATIC",
        },
      });
      assertRulePasses(objects, serviceEntryInPlatformNamespace);
    });
  });

  describe("control-plane-registry-only", () => {
    const istiod = (values: Record<string, unknown>) => ({
      apiVersion: "helm.toolkit.fluxcd.io/v2",
      kind: "HelmRelease",
      metadata: { name: "istiod", namespace: "istio-system" },
      spec: {
        chart: { spec: { chart: "istiod", version: "1.30.3" } },
        // The gateway's access-log provider and cluster-local Service, so only the outbound policy is under test.
        values: {
          ...values,
          meshConfig: {
            serviceSettings: GATEWAY_CLUSTER_LOCAL,
            ...(values.meshConfig as object),
            ...meshConfigForAccessLog(),
          },
        },
      },
    });
    const scoped = { env: { PILOT_SCOPE_GATEWAY_TO_NAMESPACE: "true" } };

    it("accepts istiod with a REGISTRY_ONLY mesh config", () => {
      const objects = [
        ...compliantPlatform(),
        istiod({ ...scoped, meshConfig: { outboundTrafficPolicy: { mode: "REGISTRY_ONLY" } } }),
      ];
      assertRulePasses(objects, controlPlaneRegistryOnly);
    });

    it("flags istiod set to ALLOW_ANY", () => {
      const objects = [
        ...compliantPlatform(),
        istiod({ ...scoped, meshConfig: { outboundTrafficPolicy: { mode: "ALLOW_ANY" } } }),
      ];
      assertOnlyRuleFires(objects, controlPlaneRegistryOnly);
    });

    it("flags istiod without an outbound policy, since its default is ALLOW_ANY", () => {
      const [f] = assertOnlyRuleFires([...compliantPlatform(), istiod(scoped)], controlPlaneRegistryOnly);
      assert.match(f?.message ?? "", /istiod defaults to ALLOW_ANY/);
    });
  });
});
