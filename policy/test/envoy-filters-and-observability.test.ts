import * as assert from "node:assert/strict";
import { envoyFilterHasWorkloadSelector } from "../rules/envoy-filters/envoy-filter-has-workload-selector";
import { envoyFilterHttpPatchApplies } from "../rules/envoy-filters/envoy-filter-http-patch-applies";
import { envoyFilterNoRemovalAtGateway } from "../rules/envoy-filters/envoy-filter-no-removal-at-gateway";
import { KubernetesObject } from "../contract";
import { gatewayAccessLoggingConfigured } from "../rules/observability/gateway-access-logging-configured";
import { gatewayAccessLoggingNotDisabled } from "../rules/observability/gateway-access-logging-not-disabled";
import { compliantPlatform, find, GATEWAY_NS } from "./compliant-platform";
import { assertOnlyRuleFires, assertRulePasses } from "./rule-harness";

function envoyFilter(
  name: string,
  match: Record<string, unknown>,
  applyTo = "HTTP_FILTER",
): KubernetesObject {
  return {
    apiVersion: "networking.istio.io/v1alpha3",
    kind: "EnvoyFilter",
    metadata: { name, namespace: GATEWAY_NS },
    spec: {
      workloadSelector: { labels: { istio: "egressgateway" } },
      configPatches: [
        {
          applyTo,
          match: { context: "GATEWAY", ...match },
          patch: { operation: "INSERT_BEFORE", value: { name: "envoy.filters.http.local_ratelimit" } },
        },
      ],
    },
  };
}

const hcm = { filterChain: { filter: { name: "envoy.filters.network.http_connection_manager" } } };

describe("Envoy filter rules", () => {
  describe("envoy-filter-has-workload-selector", () => {
    it("accepts an EnvoyFilter that selects the gateway", () => {
      const objects = [
        ...compliantPlatform(),
        envoyFilter("ratelimit", { listener: { portNumber: 80, ...hcm } }),
      ];
      assertRulePasses(objects, envoyFilterHasWorkloadSelector);
    });

    it("flags an EnvoyFilter without workloadSelector", () => {
      const filter = envoyFilter("cluster-tweak", {}, "CLUSTER") as { spec: Record<string, unknown> };
      delete filter.spec.workloadSelector;
      const objects = [...compliantPlatform(), filter as unknown as KubernetesObject];
      assertOnlyRuleFires(objects, envoyFilterHasWorkloadSelector);
    });
  });

  describe("envoy-filter-http-patch-applies", () => {
    it("accepts an HTTP filter on the port where the gateway terminates HTTP", () => {
      const objects = [
        ...compliantPlatform(),
        envoyFilter("ratelimit", { listener: { portNumber: 80, ...hcm } }),
      ];
      assertRulePasses(objects, envoyFilterHttpPatchApplies);
    });

    it("accepts an HTTP route patch on a named gateway-side http route", () => {
      const objects = [
        ...compliantPlatform(),
        envoyFilter(
          "per-tenant",
          { routeConfiguration: { vhost: { route: { name: "openai-egress" } } } },
          "HTTP_ROUTE",
        ),
      ];
      assertRulePasses(objects, envoyFilterHttpPatchApplies);
    });

    it("flags an HTTP filter on the port where the gateway only passes TLS through", () => {
      const objects = [
        ...compliantPlatform(),
        envoyFilter("ratelimit", { listener: { portNumber: 443, ...hcm } }),
      ];
      const [f] = assertOnlyRuleFires(objects, envoyFilterHttpPatchApplies);
      assert.match(f?.message ?? "", /listener port 443 carries only TLS passthrough or TCP traffic/);
    });

    it("flags an HTTP route patch whose named route is not an HTTP route of the gateway", () => {
      const objects = [
        ...compliantPlatform(),
        envoyFilter(
          "per-tenant",
          { routeConfiguration: { vhost: { route: { name: "stripe" } } } },
          "HTTP_ROUTE",
        ),
      ];
      const [f] = assertOnlyRuleFires(objects, envoyFilterHttpPatchApplies);
      assert.match(f?.message ?? "", /targets route "stripe", which is not an HTTP route/);
    });

    it("flags a virtual host patch for a passthrough SNI host", () => {
      const objects = [
        ...compliantPlatform(),
        envoyFilter(
          "headers",
          { routeConfiguration: { vhost: { name: "api.github.com:443" } } },
          "VIRTUAL_HOST",
        ),
      ];
      assertOnlyRuleFires(objects, envoyFilterHttpPatchApplies);
    });

    it("ignores patches for sidecars", () => {
      const filter = envoyFilter("sidecar-only", {
        context: "SIDECAR_OUTBOUND",
        listener: { portNumber: 443, ...hcm },
      });
      assertRulePasses([...compliantPlatform(), filter], envoyFilterHttpPatchApplies);
    });
  });
});

describe("envoy-filter-no-removal-at-gateway", () => {
  const removal = (operation: string, context = "GATEWAY"): KubernetesObject => ({
    apiVersion: "networking.istio.io/v1alpha3",
    kind: "EnvoyFilter",
    metadata: { name: "strip", namespace: GATEWAY_NS },
    spec: {
      workloadSelector: { labels: { istio: "egressgateway" } },
      configPatches: [
        {
          applyTo: "NETWORK_FILTER",
          match: { context, listener: { filterChain: { filter: { name: "envoy.filters.network.rbac" } } } },
          patch: { operation },
        },
      ],
    },
  });

  it("accepts filters that only add behaviour at the gateway", () => {
    const objects = [
      ...compliantPlatform(),
      envoyFilter("ratelimit", { listener: { portNumber: 80, ...hcm } }),
    ];
    assertRulePasses(objects, envoyFilterNoRemovalAtGateway);
  });

  for (const operation of ["REMOVE", "REPLACE"]) {
    it(`flags a ${operation} of the gateway's RBAC filter`, () => {
      const [f] = assertOnlyRuleFires(
        [...compliantPlatform(), removal(operation)],
        envoyFilterNoRemovalAtGateway,
      );
      assert.match(f?.message ?? "", new RegExp(`${operation}s envoy\\.filters\\.network\\.rbac`));
    });
  }

  it("ignores a removal scoped to sidecars", () => {
    assertRulePasses(
      [...compliantPlatform(), removal("REMOVE", "SIDECAR_OUTBOUND")],
      envoyFilterNoRemovalAtGateway,
    );
  });
});

describe("observability rules", () => {
  describe("gateway-access-logging-not-disabled", () => {
    it("accepts access logging to envoy at the gateway", () => {
      assertRulePasses(compliantPlatform(), gatewayAccessLoggingNotDisabled);
    });

    it("flags the gateway's Telemetry when it disables access logging", () => {
      const objects = compliantPlatform();
      find(objects, "Telemetry", "egress-gateway-access-logs").spec.accessLogging[0].disabled = true;
      assertOnlyRuleFires(objects, gatewayAccessLoggingNotDisabled);
    });

    it("flags a mesh-wide Telemetry in the root namespace that disables access logging", () => {
      const objects = compliantPlatform();
      objects.push({
        apiVersion: "telemetry.istio.io/v1",
        kind: "Telemetry",
        metadata: { name: "mesh-default", namespace: "istio-system" },
        spec: { accessLogging: [{ disabled: true }] },
      });
      const [f] = assertOnlyRuleFires(objects, gatewayAccessLoggingNotDisabled);
      assert.equal(f?.name, "mesh-default");
    });

    it("ignores a Telemetry that disables logging for a tenant's workloads", () => {
      const objects = compliantPlatform();
      objects.push({
        apiVersion: "telemetry.istio.io/v1",
        kind: "Telemetry",
        metadata: { name: "quiet", namespace: "ml" },
        spec: { accessLogging: [{ disabled: true }] },
      });
      assertRulePasses(objects, gatewayAccessLoggingNotDisabled);
    });
  });

  describe("gateway-access-logging-configured", () => {
    it("accepts a Telemetry that selects the gateway with an access log provider", () => {
      assertRulePasses(compliantPlatform(), gatewayAccessLoggingConfigured);
    });

    it("flags a platform without a Telemetry for the gateway", () => {
      const objects = compliantPlatform().filter((o) => o.kind !== "Telemetry");
      const [f] = assertOnlyRuleFires(objects, gatewayAccessLoggingConfigured);
      assert.deepEqual([f?.kind, f?.name], ["Namespace", GATEWAY_NS]);
    });

    it("flags a Telemetry that selects other workloads only", () => {
      const objects = compliantPlatform();
      find(objects, "Telemetry", "egress-gateway-access-logs").spec.selector.matchLabels = {
        app: "something-else",
      };
      assertOnlyRuleFires(objects, gatewayAccessLoggingConfigured);
    });
  });
});
