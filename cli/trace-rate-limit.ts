import { KIND, KubernetesObject } from "../policy/contract";
import { policyAppliesToGateway } from "../policy/mesh/mesh-queries";
import type { MeshTopology } from "../policy/mesh/mesh-topology";
import { dig, fields, fieldsList, integer, ofKind, specOf, text } from "../policy/mesh/object-fields";

/** Which local rate limit bucket at the gateway a tenant's traffic to a host spends, for trace. */

export interface RateLimitBucket {
  readonly object?: KubernetesObject;
  readonly bucket: string;
}

/** A token bucket as one phrase: "20 per 1s (burst 40)". */
function describeBucket(bucket: unknown): string {
  const b = fields(bucket);
  return `${integer(b.tokens_per_fill) ?? 1} per ${text(b.fill_interval) ?? "?"} (burst ${integer(b.max_tokens) ?? "?"})`;
}

interface Patch {
  readonly filter: KubernetesObject;
  readonly port?: number;
  readonly sni?: string;
  readonly name: string;
  readonly config: Record<string, unknown>;
}

function gatewayPatches(mesh: MeshTopology): Patch[] {
  return ofKind(mesh.objects, KIND.EnvoyFilter)
    .filter((f) => policyAppliesToGateway(mesh, f, dig(f.spec, "workloadSelector", "labels")))
    .flatMap((filter) =>
      fieldsList(specOf(filter).configPatches).map((p) => {
        const listener = fields(dig(p, "match", "listener"));
        const port = integer(listener.portNumber);
        const sni = text(dig(listener, "filterChain", "sni"));
        return {
          filter,
          name: text(dig(p, "patch", "value", "name")) ?? "",
          config: fields(dig(p, "patch", "value", "typed_config")),
          ...(port !== undefined ? { port } : {}),
          ...(sni !== undefined ? { sni } : {}),
        };
      }),
    );
}

/**
 * The bucket: on HTTP, the most specific descriptor of the HTTP local rate limit naming the tenant (and the
 * service), else the filter's default bucket; on TLS, the L4 limit on the chain of the SNI the gateway sees
 * (`request.host`: a tenant's own SNI for a passthrough-mtls service), else the port's.
 */
export function rateLimitBucket(
  mesh: MeshTopology,
  request: { tenant: string; service?: string; host: string; port: number; http: boolean },
): RateLimitBucket {
  const patches = gatewayPatches(mesh).filter((p) => p.port === undefined || p.port === request.port);
  if (request.http) {
    const http = patches.find((p) => p.name === "envoy.filters.http.local_ratelimit");
    if (!http) return { bucket: "none: no HTTP local rate limit on this gateway port" };
    const candidates = fieldsList(http.config.descriptors).map((d) => {
      const entries = fieldsList(d.entries).map((e) => [text(e.key), text(e.value)] as const);
      return { entries, bucket: d.token_bucket };
    });
    const wanted = (key: string | undefined, value: string | undefined) =>
      (key === "tenant" && value === request.tenant) || (key === "service" && value === request.service);
    const matching = candidates
      .filter((c) => c.entries.length > 0 && c.entries.every(([k, v]) => wanted(k, v)))
      .sort((a, b) => b.entries.length - a.entries.length)[0];
    if (matching) {
      const key = matching.entries.map(([k, v]) => `${k}=${v}`).join(", ");
      return {
        object: http.filter,
        bucket: `descriptor ${key}: ${describeBucket(matching.bucket)} per replica`,
      };
    }
    return {
      object: http.filter,
      bucket: `the default bucket: ${describeBucket(http.config.token_bucket)} per replica`,
    };
  }
  const l4 = patches.filter((p) => p.name === "envoy.filters.network.local_ratelimit");
  const own = l4.find((p) => p.sni === request.host) ?? l4.find((p) => p.sni === undefined);
  if (!own) return { bucket: "none: no connection rate limit on this gateway port" };
  return {
    object: own.filter,
    bucket: `new connections ${describeBucket(own.config.token_bucket)} per replica, ${
      own.sni === undefined
        ? `shared by every tenant of ${request.service ?? request.host}`
        : `on the filter chain for SNI ${own.sni}`
    }`,
  };
}
