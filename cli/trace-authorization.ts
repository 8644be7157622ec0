import { KIND, KubernetesObject, TENANT_LABEL } from "../policy/contract";
import { policyAppliesToGateway } from "../policy/mesh/mesh-queries";
import type { MeshTopology } from "../policy/mesh/mesh-topology";
import { dig, Fields, fields, fieldsList, ofKind, specOf, text, texts } from "../policy/mesh/object-fields";

/**
 * How the egress gateway's AuthorizationPolicies decide one connection or request (Istio's order: CUSTOM,
 * then DENY, then ALLOW when any ALLOW policy applies), for trace.
 */

/** What the gateway knows of the caller and the destination. */
export interface AuthorizationRequest {
  /** The caller's namespace and SPIFFE principal (`<trust domain>/ns/<ns>/sa/<sa>`); absent without mTLS. */
  readonly identity?: { readonly namespace: string; readonly principal: string };
  /** The destination host: the Host header on HTTP. */
  readonly host: string;
  /** The SNI the gateway sees (a tenant's own `<tenant>.<host>.mesh-egress.invalid`, say); `host` when absent. */
  readonly sni?: string;
  /** The gateway port the connection arrives on. */
  readonly port: number;
  /** Whether the gateway sees HTTP (so `hosts`, `methods`, `paths` can match). */
  readonly http: boolean;
}

export interface AuthorizationDecision {
  readonly allowed: boolean;
  /** The policy that decides: the matching DENY or ALLOW one, or an ALLOW one that nothing matched. */
  readonly object?: KubernetesObject;
  readonly reason: string;
}

/** Istio's string match: exact, `prefix*`, `*suffix`, or `*`. */
function matchesValue(pattern: string, value: string, caseInsensitive = false): boolean {
  const [p, v] = caseInsensitive ? [pattern.toLowerCase(), value.toLowerCase()] : [pattern, value];
  if (p === "*") return true;
  if (p.endsWith("*")) return v.startsWith(p.slice(0, -1));
  if (p.startsWith("*")) return v.endsWith(p.slice(1));
  return p === v;
}

const anyMatch = (patterns: readonly string[], value: string | undefined, ci = false): boolean =>
  value !== undefined && patterns.some((p) => matchesValue(p, value, ci));

/** A positive and a negative field: the positive must match when present, the negative must not. */
function field(
  object: Fields,
  positive: string,
  negative: string,
  value: string | undefined,
  ci = false,
): boolean | undefined {
  const yes = texts(object[positive]);
  const no = texts(object[negative]);
  if (yes.length === 0 && no.length === 0) return undefined;
  if (yes.length > 0 && !anyMatch(yes, value, ci)) return false;
  return !(no.length > 0 && anyMatch(no, value, ci));
}

const HTTP_ONLY_OPERATION_FIELDS = ["hosts", "notHosts", "methods", "notMethods", "paths", "notPaths"];

/** Whether one source of `from` matches; unknowable fields (ipBlocks, JWT principals) never match. */
function sourceMatches(source: Fields, request: AuthorizationRequest): boolean {
  if (["ipBlocks", "remoteIpBlocks", "requestPrincipals"].some((k) => texts(source[k]).length > 0))
    return false;
  const checks = [
    field(source, "namespaces", "notNamespaces", request.identity?.namespace),
    field(source, "principals", "notPrincipals", request.identity?.principal),
  ];
  return checks.every((c) => c !== false);
}

function operationMatches(operation: Fields, request: AuthorizationRequest, action: string): boolean {
  const usesHttp = HTTP_ONLY_OPERATION_FIELDS.some((k) => texts(operation[k]).length > 0);
  // On TCP an ALLOW rule with HTTP-only fields is dropped, a DENY rule ignores them (istio-egress.md §2).
  if (usesHttp && !request.http && action === "ALLOW") return false;
  const checks = [
    field(operation, "ports", "notPorts", String(request.port)),
    request.http ? field(operation, "hosts", "notHosts", request.host, true) : undefined,
  ];
  return checks.every((c) => c !== false);
}

/** Condition keys the gateway can answer for this request; any other key is unknowable and never matches. */
function conditionValue(key: string, request: AuthorizationRequest): string | undefined {
  switch (key) {
    case "connection.sni":
      return request.sni ?? request.host;
    case "source.namespace":
      return request.identity?.namespace;
    case "source.principal":
      return request.identity?.principal;
    case "destination.port":
      return String(request.port);
    case "request.host":
      return request.http ? request.host : undefined;
    default:
      return undefined;
  }
}

function conditionMatches(condition: Fields, request: AuthorizationRequest): boolean {
  const value = conditionValue(text(condition.key) ?? "", request);
  return field(condition, "values", "notValues", value) !== false && value !== undefined;
}

function ruleMatches(rule: Fields, request: AuthorizationRequest, action: string): boolean {
  const from = fieldsList(rule.from);
  const to = fieldsList(rule.to);
  return (
    (from.length === 0 || from.some((f) => sourceMatches(fields(f.source), request))) &&
    (to.length === 0 || to.some((t) => operationMatches(fields(t.operation), request, action))) &&
    fieldsList(rule.when).every((c) => conditionMatches(c, request))
  );
}

/** ALLOW with no rules matches nothing; DENY with no rules also matches nothing; `rules: [{}]` matches all. */
function policyMatches(policy: KubernetesObject, request: AuthorizationRequest, action: string): boolean {
  return fieldsList(specOf(policy).rules).some((r) => ruleMatches(r, request, action));
}

/** The gateway's decision on one request, from every policy that applies to its pods. */
export function authorizeAtGateway(mesh: MeshTopology, request: AuthorizationRequest): AuthorizationDecision {
  const applying = ofKind(mesh.objects, KIND.AuthorizationPolicy).filter((p) =>
    policyAppliesToGateway(mesh, p, dig(p.spec, "selector")),
  );
  const byAction = (action: string) => applying.filter((p) => (text(specOf(p).action) ?? "ALLOW") === action);
  const deny = byAction("DENY").find((p) => policyMatches(p, request, "DENY"));
  if (deny) return { allowed: false, object: deny, reason: "a DENY rule matches" };
  const allows = byAction("ALLOW");
  if (allows.length === 0) {
    return { allowed: true, reason: "no ALLOW policy applies to the gateway, so Istio admits everything" };
  }
  const allow = allows.find((p) => policyMatches(p, request, "ALLOW"));
  if (allow) return { allowed: true, object: allow, reason: "an ALLOW rule matches" };
  // Among non-matching ALLOW policies, the caller's own (tenant label) is the one to fix.
  const own = allows.find((p) => fields(p.metadata.labels)[TENANT_LABEL] === request.identity?.namespace);
  return {
    allowed: false,
    ...((own ?? allows[0]) ? { object: (own ?? allows[0]) as KubernetesObject } : {}),
    reason: "ALLOW policies apply to the gateway and none matches",
  };
}
