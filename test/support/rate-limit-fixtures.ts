import type { EgressConfig } from "../../stacks/model/egress-config";
import { configFrom } from "./config-fixtures";

/** A digest-shaped placeholder: tests never pull images. */
export const PLACEHOLDER_DIGEST = `sha256:${"ab".repeat(32)}`;

/** One HTTP and one TLS service, two tenants with limits and an override: the smallest stack with every kind of limit. */
export function rateLimitStack(overrides: Record<string, unknown> = {}): Record<string, any> {
  return {
    environment: "prod",
    gateway: { replicas: { min: 4, max: 8 } },
    services: [
      { name: "openai", hosts: ["api.openai.com"], mode: "originate" },
      { name: "stripe", hosts: ["api.stripe.com", "files.stripe.com"], mode: "passthrough-mtls" },
    ],
    tenants: [
      { namespace: "assistant", allow: ["openai"] },
      { namespace: "payments", allow: ["stripe", "openai"] },
    ],
    rateLimits: {
      gateway: { http: { requests: 1000, per: "second" } },
      tenants: {
        assistant: { http: { requests: 100, per: "second", burst: 200 } },
        payments: {
          http: { requests: 60, per: "minute" },
          tls: { connections: 10, per: "second", maxConcurrent: 40 },
          services: { openai: { http: { requests: 10, per: "second" } } },
        },
      },
    },
    ...overrides,
  };
}

/** The same stack with the global limiter and a Redis it deploys. */
export function globalLimiterConfig(): EgressConfig {
  const stack = rateLimitStack();
  stack.rateLimits.global = {
    image: `docker.io/envoyproxy/ratelimit@${PLACEHOLDER_DIGEST}`,
    redis: { deploy: { image: `docker.io/library/redis@${PLACEHOLDER_DIGEST}` } },
  };
  return configFrom(stack);
}
