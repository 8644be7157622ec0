import type { GatewayConfig } from "../stacks/model/egress-config";
import type { ReplicaSharing } from "../stacks/model/rate-limits";
import { RateUnit, UNIT_SECONDS } from "../stacks/schema/rate-limits";

/**
 * Envoy's local buckets live in each gateway replica: N replicas admit N times a bucket, and N moves
 * with the HPA between its bounds. A stack states fleet-wide limits; this is the one place that turns
 * them into a replica's bucket, and says what the fleet then admits at the HPA's bounds.
 */

/** A fleet-wide limit: `count` per `per`, up to `burst` at once. */
export interface FleetLimit {
  readonly count: number;
  readonly per: RateUnit;
  readonly burst?: number;
}

/** One replica's token bucket, in Envoy's terms. */
export interface ReplicaBucket {
  readonly maxTokens: number;
  readonly tokensPerFill: number;
  readonly fillIntervalSeconds: number;
}

/** What the fleet admits per interval with this bucket in every replica, from min to max replicas. */
export interface FleetRange {
  readonly low: number;
  readonly high: number;
  readonly per: RateUnit;
}

/**
 * A fleet-wide amount as one replica's share. divide-by-min-replicas rounds up, so the fleet admits
 * at least the limit at min replicas (and up to max/min times it at max); divide-by-max-replicas
 * rounds down, so the fleet never admits more than the limit (and only min/max of it at min
 * replicas). Never below 1: a zero bucket would refuse everything.
 */
export function replicaShare(
  amount: number,
  replicas: GatewayConfig["replicas"],
  sharing: ReplicaSharing,
): number {
  return sharing === "divide-by-min-replicas"
    ? Math.max(1, Math.ceil(amount / replicas.min))
    : Math.max(1, Math.floor(amount / replicas.max));
}

/**
 * One filter chain's share of a replica's open-connection cap. Envoy's connection_limit counts per filter
 * chain ("processed by the filter's filter chain", connection_limit.proto) and has no share_key, so a
 * service served by several chains gets the replica's cap split between them: their sum never exceeds it.
 */
export function chainShare(replicaAmount: number, chains: number): number {
  return Math.max(1, Math.floor(replicaAmount / chains));
}

export function replicaBucket(
  limit: FleetLimit,
  replicas: GatewayConfig["replicas"],
  sharing: ReplicaSharing,
): ReplicaBucket {
  const tokensPerFill = replicaShare(limit.count, replicas, sharing);
  return {
    tokensPerFill,
    maxTokens: Math.max(tokensPerFill, replicaShare(limit.burst ?? limit.count, replicas, sharing)),
    fillIntervalSeconds: UNIT_SECONDS[limit.per],
  };
}

export function fleetRange(
  bucket: ReplicaBucket,
  replicas: GatewayConfig["replicas"],
  per: RateUnit,
): FleetRange {
  return { low: bucket.tokensPerFill * replicas.min, high: bucket.tokensPerFill * replicas.max, per };
}

/** "200/second fleet-wide → 67/second per replica (burst 134) → 201–804/second at 3–12 replicas". */
export function describeSizing(
  limit: FleetLimit,
  replicas: GatewayConfig["replicas"],
  sharing: ReplicaSharing,
): string {
  const bucket = replicaBucket(limit, replicas, sharing);
  const range = fleetRange(bucket, replicas, limit.per);
  const fleet = range.low === range.high ? `${range.low}` : `${range.low}–${range.high}`;
  return (
    `${limit.count}/${limit.per} fleet-wide → ${bucket.tokensPerFill}/${limit.per} per replica ` +
    `(burst ${bucket.maxTokens}) → ${fleet}/${limit.per} at ${replicas.min}–${replicas.max} replicas`
  );
}

/** Envoy's Duration in proto3 JSON: a string of seconds. */
export function durationSeconds(seconds: number): string {
  return `${seconds}s`;
}

/** A replica bucket as Envoy's `type.v3.TokenBucket`. */
export function envoyTokenBucket(bucket: ReplicaBucket): Record<string, unknown> {
  return {
    max_tokens: bucket.maxTokens,
    tokens_per_fill: bucket.tokensPerFill,
    fill_interval: durationSeconds(bucket.fillIntervalSeconds),
  };
}
