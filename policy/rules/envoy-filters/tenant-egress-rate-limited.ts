import {
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
  ofKind,
  specOf,
  text,
  texts,
} from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";
import { addedFilters, gatewayFilters } from "../../mesh/rate-limit-filters";

/**
 * Rate limits at the egress gateway: they exist for every tenant, Envoy actually enforces them, and a
 * global limiter that fails open keeps a local floor. The filter names are Envoy's; the descriptor
 * key `tenant` and the exemption annotation are mesh-egress's convention (components/rate-limits.ts).
 */

const TENANT_KEY = "tenant";
const XFCC = "x-forwarded-client-cert";

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
