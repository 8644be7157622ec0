import { strict as assert } from "assert";
import { configFrom } from "./support/config-fixtures";
import { installPulumiMocks } from "./support/pulumi-harness";
import { itRefusesEach, MalformedCase, Stack } from "./support/malformed-config";
import { PLACEHOLDER_DIGEST, rateLimitStack } from "./support/rate-limit-fixtures";

before(installPulumiMocks);

const tenant = (s: Stack, name: string) => s.rateLimits.tenants[name];

const cases: MalformedCase[] = [
  {
    title: "a prod tenant with egress and no limit",
    mutate: (s) => delete s.rateLimits.tenants.assistant,
    path: "rateLimits.tenants.assistant",
    says: /prod requires a limit for every tenant.*unlimited: true with a reason/,
  },
  {
    title: "a prod tenant that reaches a TLS service with only an HTTP limit",
    mutate: (s) => delete tenant(s, "payments").tls,
    path: "rateLimits.tenants.payments.tls",
    says: /prod requires a limit for every tenant: payments reaches stripe over TLS/,
  },
  {
    title: "an unlimited tenant without a reason",
    mutate: (s) => (s.rateLimits.tenants.assistant = { unlimited: true }),
    path: "rateLimits.tenants.assistant.reason",
    says: /needs a reason/,
  },
  {
    title: "limits for a namespace that is not a tenant",
    mutate: (s) => (s.rateLimits.tenants.paymnets = { http: { requests: 1, per: "second" } }),
    path: "rateLimits.tenants.paymnets",
    says: /unknown tenant "paymnets"; declared tenants: assistant, payments/,
  },
  {
    title: "an override for a service the tenant is not allowed",
    mutate: (s) => (tenant(s, "assistant").services = { stripe: { tls: { connections: 1, per: "second" } } }),
    path: "rateLimits.tenants.assistant.services.stripe",
    says: /assistant is not allowed to use "stripe"/,
  },
  {
    title: "request limits on a TLS service",
    mutate: (s) => (tenant(s, "payments").services.stripe = { http: { requests: 5, per: "second" } }),
    path: "rateLimits.tenants.payments.services.stripe.http",
    says: /passthrough-mtls: the gateway sees its traffic as TLS.*give tls/,
  },
  {
    title: "a zero request count",
    mutate: (s) => (tenant(s, "assistant").http.requests = 0),
    path: "rateLimits.tenants.assistant.http.requests",
    says: /must be a positive integer/,
  },
  {
    title: "a fractional connection count",
    mutate: (s) => (tenant(s, "payments").tls.connections = 2.5),
    path: "rateLimits.tenants.payments.tls.connections",
    says: /must be a positive integer/,
  },
  {
    title: "a unit outside the list",
    mutate: (s) => (tenant(s, "assistant").http.per = "day"),
    path: "rateLimits.tenants.assistant.http.per",
    says: /must be one of second, minute, hour/,
  },
  {
    title: "a burst below the per-interval count",
    mutate: (s) => (tenant(s, "assistant").http.burst = 10),
    path: "rateLimits.tenants.assistant.http.burst",
    says: /burst 10 is below requests 100/,
  },
  {
    title: "a tenant interval shorter than the backstop's, which Envoy cannot express",
    mutate: (s) => (s.rateLimits.gateway.http = { requests: 60000, per: "minute" }),
    path: "rateLimits.tenants.assistant.http.per",
    says: /multiple of it/,
  },
  {
    title: "a misspelt key",
    mutate: (s) => (tenant(s, "assistant").http.brust = 5),
    path: "rateLimits.tenants.assistant.http.brust",
    says: /unknown key "brust"/,
  },
  {
    title: "a global limiter image pinned by tag",
    mutate: (s) =>
      (s.rateLimits.global = {
        image: "envoyproxy/ratelimit:master",
        redis: { deploy: { image: `redis@${PLACEHOLDER_DIGEST}` } },
      }),
    path: "rateLimits.global.image",
    says: /pinned by digest/,
  },
  {
    title: "a deployed Redis run as root, which the kubelet refuses under runAsNonRoot",
    mutate: (s) =>
      (s.rateLimits.global = {
        image: `envoyproxy/ratelimit@${PLACEHOLDER_DIGEST}`,
        redis: { deploy: { image: `redis@${PLACEHOLDER_DIGEST}`, runAsUser: 0 } },
      }),
    path: "rateLimits.global.redis.deploy.runAsUser",
    says: /must not be 0: runAsNonRoot refuses root; give the image's non-root uid, e.g. 999/,
  },
  {
    title: "a limiter user given by name, which the kubelet cannot check as non-root",
    mutate: (s) =>
      (s.rateLimits.global = {
        image: `envoyproxy/ratelimit@${PLACEHOLDER_DIGEST}`,
        runAsUser: "nobody",
        redis: { deploy: { image: `redis@${PLACEHOLDER_DIGEST}` } },
      }),
    path: "rateLimits.global.runAsUser",
    says: /must be a numeric user id, e.g. 65534/,
  },
  {
    title: "an existing Redis URL in plain text",
    mutate: (s) =>
      (s.rateLimits.global = {
        image: `envoyproxy/ratelimit@${PLACEHOLDER_DIGEST}`,
        redis: { existing: { url: "redis://:hunter2@10.0.0.5:6379", cidrs: ["10.0.0.5/32"] } },
      }),
    path: "rateLimits.global.redis.existing.url",
    says: /must not sit in plain text/,
  },
];

describe("the program refuses bad rate limits before registering anything", () => {
  itRefusesEach(cases, rateLimitStack);

  it("never echoes a plain-text Redis URL in its error", () => {
    const stack = rateLimitStack();
    stack.rateLimits.global = {
      image: `envoyproxy/ratelimit@${PLACEHOLDER_DIGEST}`,
      redis: { existing: { url: "redis://:hunter2@10.0.0.5:6379", cidrs: ["10.0.0.5/32"] } },
    };
    assert.throws(
      () => configFrom(stack),
      (err: Error) => !err.message.includes("hunter2"),
    );
  });

  it("accepts a prod tenant that is explicitly unlimited, with a reason", () => {
    const stack = rateLimitStack();
    stack.rateLimits.tenants.assistant = { unlimited: true, reason: "capped by the provider's own quota" };
    assert.deepEqual(configFrom(stack).rateLimits.tenants.assistant, {
      unlimited: true,
      reason: "capped by the provider's own quota",
    });
  });

  it("needs nothing from a dev stack: every tenant gets the dev defaults", () => {
    const stack = rateLimitStack({ environment: "dev" });
    delete stack.rateLimits;
    assert.deepEqual(Object.keys(configFrom(stack).rateLimits.tenants), ["assistant", "payments"]);
  });
});
