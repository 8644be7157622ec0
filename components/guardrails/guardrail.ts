import { CLUSTER_ADMIN_GROUP, OWNED_LABELS } from "../../policy/contract";
import type { ValidationAction } from "../../stacks/model/egress-config";

/** What the guardrails read: the platform's namespaces, the gateway's identity, and how to enforce. */
export interface AdmissionGuardrailSettings {
  /** Namespace of the gateway and the registry; exempt from every guardrail. */
  readonly gatewayNamespace: string;
  /** istiod's (root) namespace: exempt where the mesh's own configuration must live. */
  readonly controlPlaneNamespace: string;
  /** FQDN of the gateway's Service (`<release>.<namespace>.svc.cluster.local`). */
  readonly gatewayServiceHost: string;
  /** Every label an egress gateway pod carries (chart, injector); "*" where the value is not known ahead. */
  readonly gatewayPodLabels: Readonly<Record<string, string>>;
  /** The bindings' `validationActions`: `[Deny]` refuses, `[Warn, Audit]` only reports. */
  readonly validationActions: readonly ValidationAction[];
  /** Ranges a tenant may name (NetworkPolicy, ServiceEntry, endpoints): TENANT_OPENABLE_RANGES plus `cluster.internalCidrs`. */
  readonly tenantOpenableRanges: readonly string[];
  /** Ranges no tenant may name even inside the openable ones: link-local metadata and NAT64. */
  readonly neverOpenableRanges: readonly string[];
  /** Ranges a break-glass `direct` policy must except: the gateway's list plus `cluster.internalCidrs`. */
  readonly gatewayExcludedRanges: readonly string[];
  /** Namespaces a tenant may reach only on named ports: the control plane's, the gateway's, DNS, open-egress ones. */
  readonly closedNamespaces: readonly string[];
  /** The cluster DNS domain: in-cluster names end in `.svc.<domain>`. */
  readonly clusterDomain: string;
  /** The longest a break-glass `direct` NetworkPolicy may live after its creation, in hours. */
  readonly breakGlassMaxHours: number;
  /** Usernames or groups that may create break-glass `direct` NetworkPolicies; none: nobody. */
  readonly breakGlassRequesters: readonly string[];
  /** Usernames or groups that deploy the platform: the only ones, with system:masters, that may change its objects. */
  readonly platformIdentities: readonly string[];
  /** The mesh runs Istio CNI: no istio-init is injected, so no container may hold NET_ADMIN/NET_RAW. */
  readonly cni: boolean;
  /** The injector's proxy image: the injected containers run it, and only they may take its names and UID. */
  readonly proxyImage: string;
  /** The revision the injector records on pods (`istio.io/rev`): the configured one, or "default". */
  readonly revision: string;
}

/** Where a guardrail applies: tenant namespaces, every namespace but the platform's own, or objects it picks itself. */
export type Scope =
  "tenants" | "all-but-gateway" | "all-but-platform" | "neither-platform-nor-tenants" | "every-object";

export type Operation = "CREATE" | "UPDATE" | "DELETE" | "CONNECT";

export interface Validation {
  readonly expression: string;
  /** The static message; with `messageExpression`, its fallback. Starts with "mesh-egress guardrail <name>:" and ends with a Fix. */
  readonly message: string;
  /** A CEL string naming what was refused (the key, the address), so the tenant sees which field to fix. */
  readonly messageExpression?: string;
}

export interface Guardrail {
  /** Suffix of the policy and binding names; also the rule name in messages. */
  readonly name: string;
  readonly description: string;
  readonly resourceRules: readonly { apiGroups: string[]; resources: string[] }[];
  /** The operations judged; default CREATE and UPDATE. */
  readonly operations?: readonly Operation[];
  readonly scope: Scope;
  /** Requests the policy skips before validating (CEL over request, object, oldObject). */
  readonly matchConditions?: readonly { name: string; expression: string }[];
  readonly variables?: readonly { name: string; expression: string }[];
  readonly validations: readonly Validation[];
}

/** A value as a CEL literal (JSON is CEL's syntax for strings, numbers, lists and maps). */
export const cel = (value: unknown): string => JSON.stringify(value);

/** CEL: the requester is a platform identity (by name or group) or a cluster admin. */
export function requesterIsPlatform(platformIdentities: readonly string[]): string {
  const ids = cel(platformIdentities);
  return (
    `(request.userInfo.username in ${ids} || (has(request.userInfo.groups) && ` +
    `request.userInfo.groups.exists(g, g in ${ids} || g == ${cel(CLUSTER_ADMIN_GROUP)})))`
  );
}

/** CEL: `meta` (an object's metadata, possibly null) carries every ownership label of the platform. */
export function carriesOwnership(meta: string): string {
  return Object.entries(OWNED_LABELS)
    .map(
      ([k, v]) =>
        `has(${meta}.labels) && ${cel(k)} in ${meta}.labels && ${meta}.labels[${cel(k)}] == ${cel(v)}`,
    )
    .map((clause) => `(${clause})`)
    .join(" && ");
}

/** CEL: the CIDR or address text `value` lies inside a range a tenant may open, and touches none it never may. */
export function tenantMayOpen(value: string, s: AdmissionGuardrailSettings): string {
  const block = `(isCIDR(${value}) ? cidr(${value}) : cidr(${value} + (${value}.contains(':') ? '/128' : '/32')))`;
  // Iteration variables no caller uses: a caller's own (`n`, `r`) would be shadowed inside these macros.
  return (
    `((isCIDR(${value}) || isIP(${value})) && ${cel(s.tenantOpenableRanges)}.exists(openable, cidr(openable).containsCIDR(${block}))` +
    ` && !${cel(s.neverOpenableRanges)}.exists(never, cidr(never).containsCIDR(${block}) || ${block}.containsCIDR(cidr(never))))`
  );
}

/** CEL: `host` is an in-cluster Service name (`<svc>.<ns>.svc[.<domain>]`), no wildcard. */
export function inClusterName(host: string, s: AdmissionGuardrailSettings): string {
  return `(!${host}.contains('*') && (${host}.endsWith('.svc.' + ${cel(s.clusterDomain)}) || ${host}.endsWith('.svc')))`;
}

/** CEL: `labels` (a map) is non-empty and every entry is one the gateway pods carry: it selects the gateway. */
export function selectsGateway(labels: string, gatewayPodLabels: Readonly<Record<string, string>>): string {
  const gw = cel(gatewayPodLabels);
  return `size(${labels}) > 0 && ${labels}.all(k, k in ${gw} && (${gw}[k] == '*' || ${gw}[k] == ${labels}[k]))`;
}
