import {
  HTTP_GLOBAL_RATE_LIMIT,
  HTTP_LOCAL_RATE_LIMIT,
  KIND,
  KubernetesObject,
  NETWORK_LOCAL_RATE_LIMIT,
  RATE_LIMIT_EXEMPT_ANNOTATION,
} from "../../contract";
import { hostTraffic, policyAppliesToGateway } from "../../mesh/mesh-queries";
import { MeshTopology } from "../../mesh/mesh-topology";
import {
  annotationsOf,
  dig,
  Fields,
  fields,
  fieldsList,
  integer,
  namespaceOf,
  ofKind,
  specOf,
  text,
  texts,
} from "../../mesh/object-fields";
import { ResourceRule, StackRule, Violation, violation } from "../../engine/rule";
import { typedConfigOf } from "../../mesh/typed-config";

/**
 * Rate limits at the egress gateway: they exist for every tenant, Envoy actually enforces them, and a
 * global limiter that fails open keeps a local floor. The filter names are Envoy's; the descriptor
 * key `tenant` and the exemption annotation are mesh-egress's convention (components/rate-limits.ts).
 */

const TENANT_KEY = "tenant";
const XFCC = "x-forwarded-client-cert";

const TYPE_NAMES: Readonly<Record<string, string>> = {
  [HTTP_LOCAL_RATE_LIMIT]: "envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit",
  [NETWORK_LOCAL_RATE_LIMIT]: "envoy.extensions.filters.network.local_ratelimit.v3.LocalRateLimit",
  [HTTP_GLOBAL_RATE_LIMIT]: "envoy.extensions.filters.http.ratelimit.v3.RateLimit",
};

/** A filter an EnvoyFilter patch adds, with where it goes. */
interface AddedFilter {
  readonly filter: KubernetesObject;
  readonly index: number;
  readonly kind: string;
  readonly typedConfig?: Fields;
  readonly sni?: string;
}

/** Filters the patches add, recognised by name or by their typed_config's type (through a TypedStruct wrapper). */
function addedFilters(filter: KubernetesObject, kind: string): AddedFilter[] {
  const out: AddedFilter[] = [];
  fieldsList(specOf(filter).configPatches).forEach((patch, index) => {
    const value = fields(dig(patch, "patch", "value"));
    const typed = typedConfigOf(value);
    const type = typed?.type ?? "";
    if (text(value.name) !== kind && !type.endsWith(`/${TYPE_NAMES[kind]}`)) return;
    const sni = text(dig(patch, "match", "listener", "filterChain", "sni"));
    out.push({
      filter,
      index,
      kind,
      ...(typed !== undefined ? { typedConfig: typed.config } : {}),
      ...(sni ? { sni } : {}),
    });
  });
  return out;
}

function gatewayFilters(objects: readonly KubernetesObject[], mesh: MeshTopology): KubernetesObject[] {
  return ofKind(objects, KIND.EnvoyFilter).filter((f) =>
    policyAppliesToGateway(mesh, f, dig(f.spec, "workloadSelector", "labels")),
  );
}

/** Whether a RuntimeFractionalPercent is 100 % (Envoy's default for these fields is 0 %). */
function isHundredPercent(value: unknown): boolean {
  const percent = fields(dig(value, "default_value") ?? dig(value, "defaultValue"));
  const denominator = text(percent.denominator) ?? "HUNDRED";
  const full = { HUNDRED: 100, TEN_THOUSAND: 10000, MILLION: 1000000 }[denominator];
  return full !== undefined && percent.numerator === full;
}

/** Why an HTTP local rate limit would not limit anything; undefined when it does. */
function notEnforcing(config: Fields): string | undefined {
  const get = (snake: string, camel: string) => config[snake] ?? config[camel];
  const problems: string[] = [];
  if (!isHundredPercent(get("filter_enabled", "filterEnabled"))) problems.push("filter_enabled is not 100 %");
  if (!isHundredPercent(get("filter_enforced", "filterEnforced")))
    problems.push("filter_enforced is not 100 %");
  return problems.length > 0 ? problems.join(", ") : undefined;
}

export const localRateLimitEnforced: ResourceRule = {
  name: "local-rate-limit-enforced",
  description:
    "Every HTTP local rate limit an EnvoyFilter adds is enabled and enforced for 100 % of requests. Envoy defaults `filter_enabled` and `filter_enforced` to 0 %: a filter without them " +
    "counts nothing and refuses nothing, while everyone believes egress is limited.",
  severity: "high",
  concern: "envoy-filters",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Set filter_enabled and filter_enforced to {default_value: {numerator: 100, denominator: HUNDRED}}.",
  kinds: [KIND.EnvoyFilter],
  scope: "resource",
  check(filter: KubernetesObject): Violation[] {
    // Without a typed_config Envoy refuses the filter outright: nothing to judge here.
    return addedFilters(filter, HTTP_LOCAL_RATE_LIMIT).flatMap(({ index, typedConfig }) => {
      const problem = typedConfig && notEnforcing(typedConfig);
      return problem
        ? [
            violation(
              filter,
              `patch ${index} adds ${HTTP_LOCAL_RATE_LIMIT} but ${problem}, so it limits nothing`,
              "set filter_enabled and filter_enforced to 100 % (numerator 100, denominator HUNDRED)",
            ),
          ]
        : [];
    });
  },
};

export const envoyFilterInGatewayNamespace: StackRule = {
  name: "envoy-filter-in-gateway-namespace",
  description:
    "EnvoyFilters live only in the egress gateway's namespace. One in the mesh root namespace patches every " +
    "proxy it selects across the mesh; one in a tenant namespace can rewrite that tenant's sidecars (their " +
    "routes to the gateway, the identity they present), out of the platform's review.",
  severity: "high",
  concern: "envoy-filters",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Move the EnvoyFilter to the gateway namespace with a workloadSelector for the gateway, or drop it.",
  kinds: [KIND.EnvoyFilter],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    if (!mesh.gatewayNamespace) return [];
    return ofKind(objects, KIND.EnvoyFilter)
      .filter((f) => namespaceOf(f) !== mesh.gatewayNamespace)
      .map((f) =>
        violation(
          f,
          `lives in ${namespaceOf(f) ?? "no namespace"}, not in the egress gateway's namespace ${mesh.gatewayNamespace}`,
          `move it to ${mesh.gatewayNamespace} with a workloadSelector for the gateway, or drop it`,
        ),
      );
  },
};

/** Whether a rate_limits list keys requests on the caller's certificate identity, which it cannot forge. */
function keysOnPeerIdentity(config: Fields): boolean {
  const actions = fieldsList(config.rate_limits ?? config.rateLimits).flatMap((r) => fieldsList(r.actions));
  return actions.some((action) => {
    const expr =
      text(dig(action, "extension", "typed_config", "text")) ??
      text(dig(action, "extension", "typedConfig", "text"));
    if (expr?.includes("uri_san_peer_certificate")) return true;
    const match = fields(action.header_value_match ?? action.headerValueMatch);
    return fieldsList(match.headers).some((h) => text(h.name)?.toLowerCase() === XFCC);
  });
}

/** Tenants named by an identity-keyed HTTP local rate limit at the gateway. */
function httpLimitedTenants(filters: readonly KubernetesObject[]): Set<string> {
  const tenants = new Set<string>();
  for (const f of filters) {
    for (const { typedConfig } of addedFilters(f, HTTP_LOCAL_RATE_LIMIT)) {
      // Whether it is enforced is local-rate-limit-enforced's judgement; here: does a limit name the tenant.
      if (!typedConfig || !keysOnPeerIdentity(typedConfig)) continue;
      for (const d of fieldsList(typedConfig.descriptors)) {
        for (const entry of fieldsList(d.entries)) {
          const value = text(entry.value);
          if (text(entry.key) === TENANT_KEY && value) tenants.add(value);
        }
      }
    }
  }
  return tenants;
}

function exemptTenants(filters: readonly KubernetesObject[]): Map<string, string> {
  const exempt = new Map<string, string>();
  for (const f of filters) {
    for (const line of (annotationsOf(f)[RATE_LIMIT_EXEMPT_ANNOTATION] ?? "").split("\n")) {
      const [tenant, ...reason] = line.split(":");
      if (tenant?.trim() && reason.join(":").trim()) exempt.set(tenant.trim(), reason.join(":").trim());
    }
  }
  return exempt;
}

export const tenantEgressRateLimited: StackRule = {
  name: "tenant-egress-rate-limited",
  description:
    "Every tenant the egress gateway authorizes has a limit there: an HTTP local rate limit descriptor " +
    "for its namespace, keyed on its certificate identity, when it reaches a host over HTTP; a connection limit " +
    "on the filter chain of every host it reaches over TLS. Exemptions are explicit (annotation " +
    "`mesh-egress.io/rate-limit-exempt: <tenant>: <reason>`). Otherwise one compromised pod can saturate the " +
    "gateway for everyone.",
  severity: "medium",
  concern: "envoy-filters",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: "Declare the tenant under mesh-egress:rateLimits.tenants (or unlimited: true with a reason).",
  kinds: [KIND.AuthorizationPolicy],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const filters = gatewayFilters(objects, mesh);
    const limited = httpLimitedTenants(filters);
    const exempt = exemptTenants(filters);
    const limitedSni = new Set(
      filters
        .flatMap((f) => addedFilters(f, NETWORK_LOCAL_RATE_LIMIT))
        .flatMap((a) => (a.sni ? [a.sni] : [])),
    );
    const out: Violation[] = [];
    for (const policy of ofKind(objects, KIND.AuthorizationPolicy)) {
      if (!policyAppliesToGateway(mesh, policy, dig(policy.spec, "selector"))) continue;
      if ((text(specOf(policy).action) ?? "ALLOW") !== "ALLOW") continue;
      for (const rule of fieldsList(specOf(policy).rules)) {
        const tenants = fieldsList(rule.from)
          .flatMap((from) => texts(dig(from, "source", "namespaces")))
          .filter((ns) => mesh.tenantNamespaces.has(ns) && !exempt.has(ns));
        if (tenants.length === 0) continue;
        // Hosts the gateway really serves that way; other rules judge hosts it does not serve at all.
        const httpHosts = fieldsList(rule.to)
          .flatMap((to) => texts(dig(to, "operation", "hosts")))
          .filter((h) => hostTraffic(mesh, h) === "http");
        const sniHosts = fieldsList(rule.when)
          .filter((w) => text(w.key) === "connection.sni")
          .flatMap((w) => texts(w.values))
          .filter((h) => hostTraffic(mesh, h) === "opaque");
        for (const tenant of tenants) {
          if (httpHosts.length > 0 && !limited.has(tenant)) {
            out.push(
              violation(
                policy,
                `tenant ${tenant} reaches ${httpHosts.join(", ")} over HTTP at the egress gateway, and no local rate limit there has a descriptor for it keyed on its certificate identity`,
                `declare mesh-egress:rateLimits.tenants.${tenant} (or unlimited: true with a reason)`,
              ),
            );
          }
          const unlimitedSni = sniHosts.filter((h) => !limitedSni.has(h));
          if (unlimitedSni.length > 0) {
            out.push(
              violation(
                policy,
                `tenant ${tenant} reaches ${unlimitedSni.join(", ")} over TLS at the egress gateway, whose filter chain has no connection limit (${NETWORK_LOCAL_RATE_LIMIT})`,
                `declare TLS limits for tenant ${tenant} under mesh-egress:rateLimits`,
              ),
            );
          }
        }
      }
    }
    return out;
  },
};

export const globalRateLimitHasLocalFloor: StackRule = {
  name: "global-rate-limit-has-local-floor",
  description:
    "A global rate limit at the egress gateway (envoy.filters.http.ratelimit) that fails open " +
    "(`failure_mode_deny: false`, Envoy's default) is paired with an enforced HTTP local rate limit at the " +
    "gateway that has a default token bucket (a backstop over all requests, not only the tenants it names). When " +
    "the limiter is unreachable every request passes; the local buckets are then the only limit.",
  severity: "medium",
  concern: "envoy-filters",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Keep the local rate limit (mesh-egress renders one whenever a service originates TLS) beside the global one.",
  kinds: [KIND.EnvoyFilter],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const filters = gatewayFilters(objects, mesh);
    const floor = filters
      .flatMap((f) => addedFilters(f, HTTP_LOCAL_RATE_LIMIT))
      .some(
        (a) =>
          a.typedConfig !== undefined &&
          notEnforcing(a.typedConfig) === undefined &&
          (a.typedConfig.token_bucket ?? a.typedConfig.tokenBucket) !== undefined,
      );
    if (floor) return [];
    return filters.flatMap((f) =>
      addedFilters(f, HTTP_GLOBAL_RATE_LIMIT)
        .filter((a) => (a.typedConfig?.failure_mode_deny ?? a.typedConfig?.failureModeDeny) !== true)
        .map((a) =>
          violation(
            f,
            `patch ${a.index} adds a global rate limit that fails open, and no enforced local rate limit with a default token bucket stays as the floor at the gateway when the limiter is unreachable`,
            "keep an envoy.filters.http.local_ratelimit at the gateway with filter_enabled and filter_enforced at 100 % and a token_bucket",
          ),
        ),
    );
  },
};

/** The listener port an added filter's patch targets; undefined when it matches every port. */
function patchedPort(filter: KubernetesObject, index: number): number | undefined {
  const patch = fieldsList(specOf(filter).configPatches)[index];
  return integer(dig(patch, "match", "listener", "portNumber"));
}

export const httpRateLimitOneChainPerPort: StackRule = {
  name: "http-rate-limit-one-chain-per-port",
  description:
    "A port the egress gateway's HTTP local rate limit patches has at most one TLS-terminating HTTPS server. " +
    "Istio builds one filter chain per TLS-terminating server (pilot gateway.go) and Envoy's HTTP " +
    "local_ratelimit keeps its token buckets per chain (it has no share_key), so with one server per host " +
    "every tenant limit and the backstop are multiplied by the number of servers on the port.",
  severity: "high",
  concern: "envoy-filters",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Serve every HTTP host on the port from one Gateway server listing all of them (mesh-egress renders <release>-http).",
  kinds: [KIND.EnvoyFilter],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const terminating = mesh.servers.filter((s) => s.carriesHttp && s.protocol === "HTTPS");
    const out: Violation[] = [];
    for (const f of gatewayFilters(objects, mesh)) {
      for (const added of addedFilters(f, HTTP_LOCAL_RATE_LIMIT)) {
        const port = patchedPort(f, added.index);
        const onPort = terminating.filter((s) => port === undefined || s.port === port);
        const byPort = new Map<number | undefined, typeof onPort>();
        for (const s of onPort) byPort.set(s.port, [...(byPort.get(s.port) ?? []), s]);
        for (const [number, servers] of byPort) {
          if (servers.length < 2) continue;
          const names = servers.map(
            (s) =>
              `${namespaceOf(s.gateway) ?? ""}/${s.gateway.metadata.name}[${s.hosts.map((h) => h.host).join(",")}]`,
          );
          out.push(
            violation(
              f,
              `patch ${added.index} adds ${HTTP_LOCAL_RATE_LIMIT} on port ${number ?? "any"}, which has ${servers.length} TLS-terminating servers (${names.join("; ")}): each is its own filter chain with its own buckets, so every limit is multiplied by ${servers.length}`,
              "list every host of the port in one Gateway server, so the port has one filter chain and the buckets are the declared ones",
            ),
          );
        }
      }
    }
    return out;
  },
};

export const rateLimitRules = [
  httpRateLimitOneChainPerPort,
  localRateLimitEnforced,
  envoyFilterInGatewayNamespace,
  tenantEgressRateLimited,
  globalRateLimitHasLocalFloor,
];
