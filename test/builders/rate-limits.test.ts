import { strict as assert } from "assert";
import { buildEgressGatewayManifests } from "../../components/egress-gateway";
import { buildRateLimitManifests } from "../../components/rate-limits";
import { FLEET_LIMITS_ANNOTATION } from "../../policy/contract";
import type { KubernetesObject } from "../../components/kubernetes-object";
import { configFrom } from "../support/config-fixtures";
import { globalLimiterConfig, PLACEHOLDER_DIGEST, rateLimitStack } from "../support/rate-limit-fixtures";

const byName = (objects: KubernetesObject[], suffix: string): any =>
  objects.find((o) => o.metadata.name.endsWith(suffix));
const httpFilter = (objects: KubernetesObject[]) => byName(objects, "-http-rate-limits");
const localConfig = (objects: KubernetesObject[]) =>
  httpFilter(objects).spec.configPatches[0].patch.value.typed_config;

describe("rate limit builder", () => {
  describe("HTTP modes (local limits)", () => {
    const objects = buildRateLimitManifests(configFrom(rateLimitStack())).objects;

    it("patches only the gateway pods, in the gateway namespace", () => {
      const filter = httpFilter(objects);
      assert.equal(filter.apiVersion, "networking.istio.io/v1alpha3");
      assert.equal(filter.metadata.namespace, "istio-egress");
      assert.deepEqual(filter.spec.workloadSelector, { labels: { istio: "egressgateway" } });
    });

    it("inserts the local rate limit before the router of the gateway's HTTP port, so after Istio's RBAC filter", () => {
      const [patch] = httpFilter(objects).spec.configPatches;
      assert.equal(patch.applyTo, "HTTP_FILTER");
      assert.deepEqual(patch.match, {
        context: "GATEWAY",
        listener: {
          portNumber: 80,
          filterChain: {
            filter: {
              name: "envoy.filters.network.http_connection_manager",
              subFilter: { name: "envoy.filters.http.router" },
            },
          },
        },
      });
      assert.equal(patch.patch.operation, "INSERT_BEFORE");
      assert.equal(patch.patch.value.name, "envoy.filters.http.local_ratelimit");
    });

    it("enables and enforces it for 100 % of requests, with a shared per-replica backstop bucket", () => {
      const config = localConfig(objects);
      const hundred = { default_value: { numerator: 100, denominator: "HUNDRED" } };
      assert.deepEqual(config.filter_enabled, hundred);
      assert.deepEqual(config.filter_enforced, hundred);
      assert.equal(config.always_consume_default_token_bucket, true);
      assert.equal(config.local_rate_limit_per_downstream_connection, false);
      // 1000/second over 4..8 replicas, divided by min replicas.
      assert.deepEqual(config.token_bucket, { max_tokens: 250, tokens_per_fill: 250, fill_interval: "1s" });
    });

    it("gives each tenant and each tenant × service override its own bucket, sized per replica", () => {
      assert.deepEqual(localConfig(objects).descriptors, [
        {
          entries: [{ key: "tenant", value: "assistant" }],
          token_bucket: { max_tokens: 50, tokens_per_fill: 25, fill_interval: "1s" },
        },
        {
          entries: [{ key: "tenant", value: "payments" }],
          token_bucket: { max_tokens: 15, tokens_per_fill: 15, fill_interval: "60s" },
        },
        {
          entries: [
            { key: "tenant", value: "payments" },
            { key: "service", value: "openai" },
          ],
          token_bucket: { max_tokens: 3, tokens_per_fill: 3, fill_interval: "1s" },
        },
      ]);
    });

    it("keys tenants on the SPIFFE identity of the caller's certificate, not on anything it sends", () => {
      const [tenantEntry, serviceEntry] = localConfig(objects).rate_limits;
      const tenant = tenantEntry.actions[0].extension;
      assert.equal(tenant.name, "envoy.rate_limit_descriptors.expr");
      assert.equal(tenant.typed_config.descriptor_key, "tenant");
      assert.equal(
        tenant.typed_config.text,
        "connection.uri_san_peer_certificate.startsWith('spiffe://cluster.local/ns/assistant/') ? 'assistant' : " +
          "connection.uri_san_peer_certificate.startsWith('spiffe://cluster.local/ns/payments/') ? 'payments' : 'unlisted'",
      );
      assert.equal(serviceEntry.actions.length, 2, "the override descriptor is (tenant, service)");
      assert.match(serviceEntry.actions[1].extension.typed_config.text, /api\[\.\]openai\[\.\]com/);
    });

    it("answers a refused request with 429 and a header saying which limiter refused it", () => {
      const config = localConfig(objects);
      assert.equal(config.status, undefined, "Envoy's default status is 429 Too Many Requests");
      assert.equal(config.response_headers_to_add[0].header.key, "x-mesh-egress-rate-limited");
      assert.match(config.response_headers_to_add[0].header.value, /^local/);
    });

    it("prints the fleet-wide range each per-replica bucket gives at the HPA's bounds", () => {
      const lines = httpFilter(objects).metadata.annotations[FLEET_LIMITS_ANNOTATION].split("\n");
      assert.ok(
        lines.includes(
          "tenant assistant: 100/second fleet-wide → 25/second per replica (burst 50) → 100–200/second at 4–8 replicas",
        ),
        lines.join("\n"),
      );
    });

    it("with divide-by-max-replicas, never lets the fleet admit more than the limit", () => {
      const stack = rateLimitStack();
      stack.rateLimits.replicaSharing = "divide-by-max-replicas";
      const config = localConfig(buildRateLimitManifests(configFrom(stack)).objects);
      assert.deepEqual(config.descriptors[0].token_bucket, {
        max_tokens: 25,
        tokens_per_fill: 12,
        fill_interval: "1s",
      });
    });

    it("renders no HTTP filter when no service originates TLS (the gateway sees no HTTP to limit)", () => {
      const stack = rateLimitStack();
      stack.services = stack.services.filter((s: any) => s.name === "stripe");
      stack.tenants = [{ namespace: "payments", allow: ["stripe"] }];
      stack.rateLimits.tenants = { payments: { tls: { connections: 5, per: "second" } } };
      const objects = buildRateLimitManifests(configFrom(stack)).objects;
      assert.equal(httpFilter(objects), undefined);
      assert.ok(byName(objects, "-tls-connection-limits"));
    });
  });

  describe("TLS modes (connection limits)", () => {
    const config = configFrom(rateLimitStack());
    const filter = byName(buildRateLimitManifests(config).objects, "-tls-connection-limits");

    const payments = (host: string) => `payments.${host}.mesh-egress.invalid`;

    it("puts the tenant's own connection-rate bucket, shared by its host chains, before tcp_proxy on each of its chains", () => {
      const limits = filter.spec.configPatches.filter(
        (p: any) => p.patch.value.name === "envoy.filters.network.local_ratelimit",
      );
      assert.deepEqual(
        limits.map((p: any) => p.match.listener),
        [
          {
            portNumber: 443,
            filterChain: {
              sni: payments("api.stripe.com"),
              filter: { name: "envoy.filters.network.tcp_proxy" },
            },
          },
          {
            portNumber: 443,
            filterChain: {
              sni: payments("files.stripe.com"),
              filter: { name: "envoy.filters.network.tcp_proxy" },
            },
          },
        ],
      );
      for (const p of limits) {
        assert.equal(p.applyTo, "NETWORK_FILTER");
        assert.equal(p.patch.operation, "INSERT_BEFORE");
        assert.equal(p.patch.value.typed_config.share_key, "mesh-egress/stripe/payments");
        assert.equal(p.patch.value.typed_config.stat_prefix, "mesh_egress_stripe_payments");
        // payments: 10/second over min 4 replicas, rounded up.
        assert.deepEqual(p.patch.value.typed_config.token_bucket, {
          max_tokens: 3,
          tokens_per_fill: 3,
          fill_interval: "1s",
        });
      }
    });

    it("splits a tenant's open-connection cap between its host chains, so their sum is the declared cap", () => {
      const caps = filter.spec.configPatches.filter(
        (p: any) => p.patch.value.name === "envoy.filters.network.connection_limit",
      );
      // 40 fleet-wide → 10 per replica, two hosts, each its own chain (connection_limit counts per chain): 5 + 5.
      assert.deepEqual(
        caps.map((p: any) => [p.match.listener.filterChain.sni, p.patch.value.typed_config.max_connections]),
        [
          [payments("api.stripe.com"), 5],
          [payments("files.stripe.com"), 5],
        ],
      );
    });

    it("caps what one client pod holds open on the tenant's subset of the gateway's DestinationRule", () => {
      const rule = buildEgressGatewayManifests(config).objects.find((o) => o.kind === "DestinationRule")!;
      const subsets = (rule.spec as any).subsets;
      const stripe = subsets.find((s: any) => s.name === "stripe-api-stripe-com-payments");
      assert.deepEqual(stripe.trafficPolicy.connectionPool, { tcp: { maxConnections: 40 } });
      assert.equal(stripe.trafficPolicy.portLevelSettings[0].tls.sni, payments("api.stripe.com"));
      assert.equal(subsets.find((s: any) => s.name === "openai").trafficPolicy.connectionPool, undefined);
    });

    it("says each tenant's TLS limit is its own, on its own filter chains", () => {
      assert.match(
        filter.metadata.annotations[FLEET_LIMITS_ANNOTATION],
        /^tenant payments → service stripe \(its own filter chains\): new connections .* 10\/second fleet-wide/,
      );
    });

    it("gives an unlimited tenant the backstop on its own chains, leaving the other tenant its own limit", () => {
      const stack = rateLimitStack();
      stack.tenants.push({ namespace: "batch", allow: ["stripe"] });
      stack.rateLimits.tenants.batch = {
        unlimited: true,
        reason: "nightly bulk upload, watched by its team",
      };
      const objects = buildRateLimitManifests(configFrom(stack)).objects;
      const tls = byName(objects, "-tls-connection-limits");
      assert.match(
        tls.metadata.annotations[FLEET_LIMITS_ANNOTATION],
        /tenant batch → service stripe \(its own filter chains; backstop: tenant batch is unlimited\)/,
      );
      const bucketOf = (tenant: string) =>
        tls.spec.configPatches.find(
          (p: any) => p.patch.value.typed_config.share_key === `mesh-egress/stripe/${tenant}`,
        ).patch.value.typed_config.token_bucket;
      // prod backstop: 200/second, burst 400 over min 4 replicas.
      assert.deepEqual(bucketOf("batch"), { max_tokens: 100, tokens_per_fill: 50, fill_interval: "1s" });
      assert.deepEqual(bucketOf("payments"), { max_tokens: 3, tokens_per_fill: 3, fill_interval: "1s" });
    });

    it("keeps one shared bucket for a plain passthrough service, whose callers the gateway cannot tell apart", () => {
      const stack = rateLimitStack({ environment: "dev" });
      stack.services.push({ name: "idp", hosts: ["login.example.com"], mode: "passthrough" });
      stack.tenants[1].allow.push("idp");
      const tls = byName(buildRateLimitManifests(configFrom(stack)).objects, "-tls-connection-limits");
      const idp = tls.spec.configPatches.filter(
        (p: any) => p.match.listener.filterChain.sni === "login.example.com",
      );
      assert.ok(idp.length > 0);
      assert.ok(
        idp.every(
          (p: any) =>
            !p.patch.value.typed_config.share_key ||
            p.patch.value.typed_config.share_key === "mesh-egress/idp",
        ),
      );
      assert.match(
        tls.metadata.annotations[FLEET_LIMITS_ANNOTATION],
        /service idp \(.*not per tenant: the gateway cannot tell its callers apart\)/,
      );
    });
  });

  describe("tiers", () => {
    it("gives every dev tenant generous defaults when the stack names none", () => {
      const stack = rateLimitStack({ environment: "dev" });
      delete stack.rateLimits;
      const config = configFrom(stack);
      assert.deepEqual(config.rateLimits.tenants.assistant, {
        unlimited: false,
        http: { requests: 1000, per: "second", burst: 2000 },
        tls: { connections: 100, per: "second", burst: 200, maxConcurrent: 1000 },
        services: {},
      });
      const descriptors = localConfig(buildRateLimitManifests(config).objects).descriptors;
      assert.deepEqual(
        descriptors.map((d: any) => d.entries[0].value),
        ["assistant", "payments"],
      );
    });

    it("lists a prod tenant's explicit exemption, with its reason, on the filter", () => {
      const stack = rateLimitStack();
      stack.rateLimits.tenants.assistant = { unlimited: true, reason: "its provider enforces a hard quota" };
      const filter = httpFilter(buildRateLimitManifests(configFrom(stack)).objects);
      assert.equal(
        filter.metadata.annotations["mesh-egress.io/rate-limit-exempt"],
        "assistant: its provider enforces a hard quota",
      );
      assert.deepEqual(
        localConfig([filter]).descriptors.map((d: any) => d.entries[0].value),
        ["payments", "payments"],
      );
    });
  });

  describe("the global limiter", () => {
    const objects = buildRateLimitManifests(globalLimiterConfig()).objects;
    const kinds = (kind: string) => objects.filter((o) => o.kind === kind).map((o) => o.metadata.name);

    it("renders a complete limiter: Deployment, Service, ConfigMap, Redis, NetworkPolicies and an alert", () => {
      assert.deepEqual(kinds("Deployment"), ["ratelimit-redis", "ratelimit"]);
      assert.deepEqual(kinds("Service"), ["ratelimit-redis", "ratelimit"]);
      assert.deepEqual(kinds("ConfigMap"), ["ratelimit-config"]);
      assert.deepEqual(kinds("NetworkPolicy"), [
        "ratelimit",
        "istio-egressgateway-to-ratelimit",
        "ratelimit-redis",
      ]);
      assert.deepEqual(kinds("PrometheusRule"), ["ratelimit-alerts"]);
    });

    it("pins the limiter's image by digest and mounts its config as a directory, never with subPath", () => {
      const deployment: any = objects.find((o) => o.kind === "Deployment" && o.metadata.name === "ratelimit");
      const [container] = deployment.spec.template.spec.containers;
      assert.match(container.image, /@sha256:[0-9a-f]{64}$/);
      assert.deepEqual(container.volumeMounts, [
        { name: "config", mountPath: "/data/ratelimit/config", readOnly: true },
      ]);
      const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));
      assert.equal(env.RUNTIME_WATCH_ROOT, "false");
      assert.equal(env.REDIS_URL, "ratelimit-redis.istio-egress.svc.cluster.local:6379");
    });

    const securityContexts = (config: ReturnType<typeof globalLimiterConfig>) => {
      const deployments: any[] = buildRateLimitManifests(config).objects.filter(
        (o) => o.kind === "Deployment",
      );
      return Object.fromEntries(
        deployments.map((d) => [d.metadata.name, d.spec.template.spec.containers[0].securityContext]),
      );
    };

    it("starts the official redis image (no USER) as its uid and gid 999, so the kubelet's non-root check passes", () => {
      assert.deepEqual(securityContexts(globalLimiterConfig())["ratelimit-redis"], {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: false,
        runAsNonRoot: true,
        runAsUser: 999,
        runAsGroup: 999,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
      });
    });

    it("runs the limiter as a numeric non-root uid whatever USER its image has (default nobody, 65534)", () => {
      const limiter = securityContexts(globalLimiterConfig()).ratelimit;
      assert.equal(limiter.runAsNonRoot, true);
      assert.equal(limiter.runAsUser, 65534);
      assert.equal(limiter.runAsGroup, 65534);
      assert.equal(limiter.readOnlyRootFilesystem, true);
    });

    it("runs a digest-pinned Redis image with another numeric non-root user as the uid and gid the stack gives", () => {
      const stack = rateLimitStack();
      stack.rateLimits.global = {
        image: `docker.io/envoyproxy/ratelimit@${PLACEHOLDER_DIGEST}`,
        runAsUser: 10001,
        redis: {
          deploy: { image: `docker.io/bitnami/redis@${PLACEHOLDER_DIGEST}`, runAsUser: 1001, runAsGroup: 0 },
        },
      };
      const contexts = securityContexts(configFrom(stack));
      assert.deepEqual(
        [contexts["ratelimit-redis"].runAsUser, contexts["ratelimit-redis"].runAsGroup],
        [1001, 0],
      );
      assert.equal(contexts.ratelimit.runAsUser, 10001);
    });

    it("writes the service's own config: the domain, a descriptor per tenant, a nested one per override", () => {
      const configMap: any = objects.find((o) => o.kind === "ConfigMap");
      assert.equal(
        configMap.data["config.yaml"],
        [
          "domain: mesh-egress",
          "descriptors:",
          "  - key: tenant",
          "    value: assistant",
          "    rate_limit:",
          "      unit: second",
          "      requests_per_unit: 100",
          "  - key: tenant",
          "    value: payments",
          "    rate_limit:",
          "      unit: minute",
          "      requests_per_unit: 60",
          "    descriptors:",
          "      - key: service",
          "        value: openai",
          "        rate_limit:",
          "          unit: second",
          "          requests_per_unit: 10",
          "",
        ].join("\n"),
      );
    });

    it("calls it after the local filter, failing open, through a cluster the filter adds", () => {
      const patches = httpFilter(objects).spec.configPatches;
      assert.deepEqual(
        patches.map((p: any) => [p.applyTo, p.patch.operation, p.patch.value.name]),
        [
          ["HTTP_FILTER", "INSERT_BEFORE", "envoy.filters.http.local_ratelimit"],
          ["HTTP_FILTER", "INSERT_BEFORE", "envoy.filters.http.ratelimit"],
          ["CLUSTER", "ADD", "mesh-egress-ratelimit"],
        ],
      );
      const global = patches[1].patch.value.typed_config;
      assert.equal(global.failure_mode_deny, false);
      assert.equal(global.domain, "mesh-egress");
      assert.equal(global.rate_limit_service.grpc_service.envoy_grpc.cluster_name, "mesh-egress-ratelimit");
      assert.deepEqual(
        global.rate_limits,
        localConfig(objects).rate_limits,
        "same descriptors as the local limit",
      );
    });

    it("lets only the gateway pods reach the limiter, and only the limiter reach Redis", () => {
      const policy = (name: string): any =>
        objects.find((o) => o.kind === "NetworkPolicy" && o.metadata.name === name);
      assert.deepEqual(policy("ratelimit").spec.ingress[0].from[0].podSelector, {
        matchLabels: { istio: "egressgateway" },
      });
      assert.deepEqual(policy("ratelimit-redis").spec.ingress[0].from[0].podSelector, {
        matchLabels: { app: "ratelimit" },
      });
      assert.deepEqual(policy("ratelimit-redis").spec.egress, []);
    });

    it("reads an existing Redis's URL from a Secret it renders without the value", () => {
      const stack = rateLimitStack();
      stack.rateLimits.global = {
        image: globalLimiterConfig().rateLimits.global!.image,
        redis: { existing: { url: { secure: "v1:abc" }, cidrs: ["10.0.5.7/32"] } },
      };
      const objects = buildRateLimitManifests(configFrom(stack)).objects;
      const secret: any = objects.find((o) => o.kind === "Secret");
      assert.equal(secret.metadata.name, "ratelimit-redis-url");
      assert.equal(secret.stringData, undefined);
      assert.equal(
        objects.filter((o) => o.metadata.name === "ratelimit-redis").length,
        0,
        "no Redis deployed",
      );
      const limiter: any = objects.find((o) => o.kind === "NetworkPolicy" && o.metadata.name === "ratelimit");
      assert.deepEqual(limiter.spec.egress[1], {
        to: [{ ipBlock: { cidr: "10.0.5.7/32" } }],
        ports: [{ protocol: "TCP", port: 6379 }],
      });
    });
  });
});
