import { z } from "zod";
import { DecryptedSecret } from "./values/pulumi-secrets";

/**
 * The schema of `mesh-egress:rateLimits`: per-tenant limits the egress gateway's Envoy enforces,
 * a gateway-wide backstop, and the optional global (cluster-wide) limiter. Every number is for the
 * whole gateway fleet; `components/rate-limit-sizing.ts` turns it into each replica's bucket. Tier defaults are
 * applied in `model/rate-limit-baselines.ts`, references (tenants, services) checked in
 * `validation/validate-rate-limits.ts`.
 */

export const rateUnits = ["second", "minute", "hour"] as const;
export type RateUnit = (typeof rateUnits)[number];

/** Seconds in each unit a limit may name. */
export const UNIT_SECONDS: Readonly<Record<RateUnit, number>> = { second: 1, minute: 60, hour: 3600 };

/** How a fleet-wide limit becomes one replica's bucket; see components/rate-limit-sizing.ts. */
export const replicaSharings = ["divide-by-min-replicas", "divide-by-max-replicas"] as const;
export type ReplicaSharing = (typeof replicaSharings)[number];

const positiveInteger = z
  .number({ error: "must be a positive integer" })
  .int("must be a positive integer")
  .min(1, "must be a positive integer")
  // Envoy's token buckets count in uint32.
  .max(4_294_967_295, "must fit Envoy's 32-bit token counters (at most 4294967295)");

const unit = z.enum(rateUnits, { error: `must be one of ${rateUnits.join(", ")}` });

/** HTTP requests (origination modes): `requests` per `per`, with up to `burst` at once. */
export const requestLimitSchema = z.strictObject({
  requests: positiveInteger,
  per: unit,
  /** Tokens the bucket holds: requests allowed at once after a quiet spell. Default: `requests`. */
  burst: positiveInteger.optional(),
});

/** TLS modes, which the gateway sees as TCP: new connections per interval, and concurrent connections. */
export const connectionLimitSchema = z.strictObject({
  connections: positiveInteger,
  per: unit,
  /** New connections allowed at once. Default: `connections`. */
  burst: positiveInteger.optional(),
  /** Connections open at the same time. */
  maxConcurrent: positiveInteger.optional(),
});

/** A limit for one service a tenant is allowed: `http` for origination modes, `tls` for passthrough modes. */
export const serviceLimitSchema = z.strictObject({
  http: requestLimitSchema.optional(),
  tls: connectionLimitSchema.optional(),
});

/** One tenant: a default for all its HTTP traffic, one for each TLS service, and overrides per service. */
export const tenantLimitSchema = z.strictObject({
  http: requestLimitSchema.optional(),
  tls: connectionLimitSchema.optional(),
  services: z.record(z.string(), serviceLimitSchema).default({}),
  /** An explicit exemption (prod needs one for a tenant without limits); `reason` is then required. */
  unlimited: z.literal(true, { error: "can only be true (leave it out to set limits)" }).optional(),
  reason: z.string().min(1, "say why this tenant is exempt").optional(),
});

/** The gateway-wide backstop: HTTP requests across all tenants, and each TLS service's connections. */
export const backstopSchema = z.strictObject({
  http: requestLimitSchema.optional(),
  tls: connectionLimitSchema.optional(),
});

const DIGEST_IMAGE = /^[a-z0-9]+([._\-/:][a-z0-9]+)*@sha256:[a-f0-9]{64}$/;

/** A container image pinned by digest: a tag can move under a running stack, a digest cannot. */
export const pinnedImage = z
  .string()
  .regex(
    DIGEST_IMAGE,
    "must be pinned by digest, e.g. docker.io/envoyproxy/ratelimit@sha256:<64 hex digits> (look it up with `crane digest` or `docker buildx imagetools inspect`)",
  );

/**
 * The Redis URL, a Pulumi secret (it may carry a password): `{secure: …}` in a stack file, decrypted
 * under `pulumi up`, refused in plain text. Same states as certificates.ts's secret values, with a fix
 * naming this key.
 */
const secretUrl = z
  .union([z.instanceof(DecryptedSecret), z.strictObject({ secure: z.string().min(1) }), z.string()], {
    error:
      "must be a Pulumi secret ({secure: ...}): pulumi config set --secret --path 'mesh-egress:rateLimits.global.redis.existing.url'",
  })
  .transform((value) =>
    value instanceof DecryptedSecret
      ? { state: "decrypted" as const, value }
      : typeof value === "string"
        ? { state: "plaintext" as const }
        : { state: "encrypted" as const },
  );

/**
 * A numeric non-root user id. The kubelet enforces runAsNonRoot only against a numeric uid: with none in the
 * pod spec it reads the image's USER, and refuses the pod when that is empty, root or a name.
 */
const nonRootId = (defaultId: number, image: string) =>
  z
    .number({ error: `must be a numeric user id, e.g. ${defaultId} (the user ${image} runs as)` })
    .int()
    .min(1, `must not be 0: runAsNonRoot refuses root; give the image's non-root uid, e.g. ${defaultId}`)
    .max(2147483647)
    .default(defaultId);

/** Redis behind the global limiter: deployed by the stack, or an existing one. */
export const redisSchema = z.union(
  [
    z.strictObject({
      deploy: z.strictObject({
        image: pinnedImage,
        /** The official image's redis user and group are 999 (its Dockerfile's useradd/groupadd -g 999). */
        runAsUser: nonRootId(999, "the official redis image"),
        runAsGroup: z.number().int().min(0).max(2147483647).default(999),
        resources: z
          .strictObject({
            requests: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
            limits: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
          })
          .optional(),
      }),
    }),
    z.strictObject({
      existing: z.strictObject({
        /** `redis://…` or `rediss://…`, a Pulumi secret (it may carry a password). */
        url: secretUrl,
        /** Where that Redis listens: the limiter's NetworkPolicy allows only these addresses. */
        cidrs: z.array(z.string().min(1)).min(1, "list the Redis server's addresses (CIDRs)"),
        port: z.number().int().min(1).max(65535).default(6379),
        /** `rediss://` with TLS. */
        tls: z.boolean().default(false),
      }),
    }),
  ],
  {
    error: "give redis.deploy (the stack runs Redis) or redis.existing (url as a Pulumi secret, cidrs, port)",
  },
);

/** The cluster-wide limiter: envoyproxy/ratelimit backed by Redis, called by every gateway replica. */
export const globalLimiterSchema = z.strictObject({
  /** envoyproxy/ratelimit, pinned by digest. */
  image: pinnedImage,
  /**
   * The uid the limiter runs as. envoyproxy/ratelimit's Dockerfile sets no USER in most builds, so the
   * kubelet could not verify runAsNonRoot: the stack always names a numeric uid (default nobody, 65534).
   */
  runAsUser: nonRootId(65534, "nobody"),
  replicas: z.number().int().min(1).default(2),
  /** The limiter's domain; Envoy and the service's config must agree on it. */
  domain: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a DNS-1123 label")
    .default("mesh-egress"),
  /** How long a gateway waits for a decision before failing open, in milliseconds. */
  timeoutMs: z.number().int().min(1).max(1000).default(20),
  redis: redisSchema,
});

export const rateLimitsSchema = z.strictObject({
  /** How fleet-wide limits become per-replica buckets. */
  replicaSharing: z
    .enum(replicaSharings, { error: `must be one of ${replicaSharings.join(", ")}` })
    .default("divide-by-min-replicas"),
  gateway: backstopSchema.optional(),
  /** Keyed by tenant namespace. */
  tenants: z.record(z.string(), tenantLimitSchema).default({}),
  global: globalLimiterSchema.optional(),
});

export type RequestLimit = z.output<typeof requestLimitSchema>;
export type ConnectionLimit = z.output<typeof connectionLimitSchema>;
export type ParsedRateLimits = z.output<typeof rateLimitsSchema>;
export type ParsedTenantLimit = z.output<typeof tenantLimitSchema>;
export type ParsedGlobalLimiter = z.output<typeof globalLimiterSchema>;
