import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseManifests } from "../../cli/read-manifests";
import { runRule } from "../engine/evaluate";
import { KubernetesObject, RATE_LIMIT_EXEMPT_ANNOTATION } from "../contract";
import { describeMesh } from "../mesh/mesh-inference";
import { envoyFilterInGatewayNamespace } from "../rules/envoy-filters/envoy-filter-in-gateway-namespace";
import { globalRateLimitHasLocalFloor } from "../rules/envoy-filters/global-rate-limit-has-local-floor";
import { httpRateLimitOneChainPerPort } from "../rules/envoy-filters/http-rate-limit-one-chain-per-port";
import { localRateLimitEnforced } from "../rules/envoy-filters/local-rate-limit-enforced";
import { tenantEgressRateLimited } from "../rules/envoy-filters/tenant-egress-rate-limited";
import { compliantPlatform, find, Mutable } from "./compliant-platform";
import { assertOnlyRuleFires, assertRulePasses } from "./rule-harness";

const rateLimits = (objects: KubernetesObject[]): Mutable =>
  find(objects, "EnvoyFilter", "egress-rate-limits");
const localConfig = (objects: KubernetesObject[]): Mutable =>
  rateLimits(objects).spec.configPatches[0].patch.value.typed_config;

function withGlobalLimiter(objects: KubernetesObject[], failureModeDeny?: boolean): KubernetesObject[] {
  const patches = rateLimits(objects).spec.configPatches;
  patches.push({
    applyTo: "HTTP_FILTER",
    match: patches[0].match,
    patch: {
      operation: "INSERT_BEFORE",
      value: {
        name: "envoy.filters.http.ratelimit",
        typed_config: {
          "@type": "type.googleapis.com/envoy.extensions.filters.http.ratelimit.v3.RateLimit",
          domain: "mesh-egress",
          ...(failureModeDeny !== undefined ? { failure_mode_deny: failureModeDeny } : {}),
        },
      },
    },
  });
  return objects;
}

describe("rate limit rules", () => {
  describe("http-rate-limit-one-chain-per-port", () => {
    it("accepts a rate-limited port whose HTTP hosts share one TLS-terminating server", () => {
      assertRulePasses(compliantPlatform(), httpRateLimitOneChainPerPort);
    });

    it("flags a rate-limited port served by one TLS-terminating server per host, naming the multiplier", () => {
      const objects = compliantPlatform();
      const gateway = find(objects, "Gateway", "egress-http");
      const [server] = gateway.spec.servers;
      gateway.spec.servers = server.hosts.map((host: string, i: number) => ({
        ...server,
        port: { ...server.port, name: `https-${i}` },
        hosts: [host],
      }));
      const [f, ...more] = assertOnlyRuleFires(objects, httpRateLimitOneChainPerPort);
      assert.equal(more.length, 0);
      assert.match(f?.message ?? "", /on port 80, which has 2 TLS-terminating servers .* multiplied by 2/);
    });

    it("ignores a second server on a port the HTTP limit does not patch", () => {
      const objects = compliantPlatform();
      const gateway = find(objects, "Gateway", "egress-http");
      gateway.spec.servers.push({
        ...gateway.spec.servers[0],
        port: { number: 8080, name: "https-8080", protocol: "HTTPS" },
      });
      assertRulePasses(objects, httpRateLimitOneChainPerPort);
    });
  });

  describe("local-rate-limit-enforced", () => {
    it("accepts a local rate limit enabled and enforced for 100 % of requests", () => {
      assertRulePasses(compliantPlatform(), localRateLimitEnforced);
    });

    it("flags one that leaves filter_enabled at Envoy's default of 0 %", () => {
      const objects = compliantPlatform();
      delete localConfig(objects).filter_enabled;
      const [f] = assertOnlyRuleFires(objects, localRateLimitEnforced);
      assert.match(f?.message ?? "", /filter_enabled is not 100 %, so it limits nothing/);
    });

    it("flags one enforced for only half of the requests", () => {
      const objects = compliantPlatform();
      localConfig(objects).filter_enforced.default_value.numerator = 50;
      assertOnlyRuleFires(objects, localRateLimitEnforced);
    });

    it("flags the mission document's example, which sets neither field", () => {
      const file = path.join(__dirname, "fixtures", "mission-example.yaml");
      const objects = parseManifests(fs.readFileSync(file, "utf8"), file, false).map((o) => o.object);
      const [v, ...rest] = runRule(localRateLimitEnforced, objects, describeMesh(objects));
      assert.equal(rest.length, 0);
      assert.match(v?.message ?? "", /filter_enabled is not 100 %, filter_enforced is not 100 %/);
    });

    it("accepts 100 % written as a fraction of ten thousand", () => {
      const objects = compliantPlatform();
      localConfig(objects).filter_enforced.default_value = { numerator: 10000, denominator: "TEN_THOUSAND" };
      assertRulePasses(objects, localRateLimitEnforced);
    });
  });

  describe("envoy-filter-in-gateway-namespace", () => {
    it("accepts EnvoyFilters in the gateway namespace", () => {
      assertRulePasses(compliantPlatform(), envoyFilterInGatewayNamespace);
    });

    it("flags an EnvoyFilter in a tenant namespace", () => {
      const objects = compliantPlatform();
      const copy = JSON.parse(JSON.stringify(rateLimits(objects)));
      copy.metadata = { name: "mine", namespace: "payments" };
      const [f] = assertOnlyRuleFires([...objects, copy], envoyFilterInGatewayNamespace);
      assert.match(
        f?.message ?? "",
        /EnvoyFilter payments\/mine: lives in payments, not in the egress gateway's namespace/,
      );
    });
  });

  describe("tenant-egress-rate-limited", () => {
    it("accepts a platform where every tenant has an HTTP descriptor and every TLS host a connection limit", () => {
      assertRulePasses(compliantPlatform(), tenantEgressRateLimited);
    });

    it("flags a tenant whose HTTP descriptor is missing", () => {
      const objects = compliantPlatform();
      const config = localConfig(objects);
      config.descriptors = config.descriptors.filter((d: Mutable) => d.entries[0].value !== "ml");
      const [f, ...rest] = assertOnlyRuleFires(objects, tenantEgressRateLimited);
      assert.equal(rest.length, 0);
      assert.match(f?.message ?? "", /tenant ml reaches api\.openai\.com over HTTP/);
    });

    it("flags descriptors keyed on something the caller sends instead of its certificate", () => {
      const objects = compliantPlatform();
      localConfig(objects).rate_limits = [
        { actions: [{ request_headers: { header_name: "x-tenant", descriptor_key: "tenant" } }] },
      ];
      assert.equal(assertOnlyRuleFires(objects, tenantEgressRateLimited).length, 2);
    });

    it("flags a TLS host whose filter chain has no connection limit", () => {
      const objects = compliantPlatform();
      const filter = rateLimits(objects);
      filter.spec.configPatches = filter.spec.configPatches.filter(
        (p: Mutable) => p.match.listener.filterChain.sni !== "api.stripe.com",
      );
      const [f] = assertOnlyRuleFires(objects, tenantEgressRateLimited);
      assert.match(
        f?.message ?? "",
        /tenant payments reaches api\.stripe\.com over TLS .* no connection limit/,
      );
    });

    it("accepts a tenant exempted with a reason", () => {
      const objects = compliantPlatform();
      const config = localConfig(objects);
      config.descriptors = config.descriptors.filter((d: Mutable) => d.entries[0].value !== "ml");
      rateLimits(objects).metadata.annotations = {
        [RATE_LIMIT_EXEMPT_ANNOTATION]: "ml: batch jobs, capped upstream",
      };
      assertRulePasses(objects, tenantEgressRateLimited);
    });
  });

  describe("global-rate-limit-has-local-floor", () => {
    it("accepts a fail-open global limiter beside an enforced local limit with a backstop bucket", () => {
      assertRulePasses(withGlobalLimiter(compliantPlatform()), globalRateLimitHasLocalFloor);
    });

    it("flags a fail-open global limiter (Envoy's default) when the local limit has no backstop bucket", () => {
      const objects = withGlobalLimiter(compliantPlatform());
      delete localConfig(objects).token_bucket;
      const [f] = assertOnlyRuleFires(objects, globalRateLimitHasLocalFloor);
      assert.match(f?.message ?? "", /patch 3 adds a global rate limit that fails open/);
    });

    it("does not ask for a floor under a global limiter that fails closed", () => {
      const objects = withGlobalLimiter(compliantPlatform(), true);
      delete localConfig(objects).token_bucket;
      assertRulePasses(objects, globalRateLimitHasLocalFloor);
    });
  });
});
