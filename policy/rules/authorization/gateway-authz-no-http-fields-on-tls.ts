import { CHART_KINDS, KIND, KubernetesObject } from "../../contract";
import { hostTraffic, isGatewayRef, policyAppliesToGateway } from "../../mesh/mesh-queries";
import { MeshTopology } from "../../mesh/mesh-topology";
import {
  Fields,
  dig,
  fields,
  fieldsList,
  integer,
  namespaceOf,
  ofKind,
  specOf,
  text,
  texts,
} from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";

/** One rule of an AuthorizationPolicy that applies to the egress gateway. */
interface GatewayAuthzRule {
  readonly policy: KubernetesObject;
  readonly action: string;
  readonly index: number;
  readonly from: readonly Fields[];
  readonly operations: readonly Fields[];
  readonly when: readonly Fields[];
}

function gatewayAuthzRules(objects: readonly KubernetesObject[], mesh: MeshTopology): GatewayAuthzRule[] {
  return ofKind(objects, KIND.AuthorizationPolicy)
    .filter((p) => policyAppliesToGateway(mesh, p, dig(p.spec, "selector")))
    .flatMap((policy) => {
      const action = text(specOf(policy).action) ?? "ALLOW";
      return fieldsList(specOf(policy).rules).map((rule, index) => ({
        policy,
        action,
        index,
        from: fieldsList(rule.from),
        operations: fieldsList(rule.to).map((t) => fields(t.operation)),
        when: fieldsList(rule.when),
      }));
    });
}

const nonEmpty = (f: Fields): boolean =>
  Object.values(f).some((v) => (Array.isArray(v) ? v.length > 0 : v !== undefined));

/** A rule with no effective condition matches every request: `{}`, or only empty sources/operations. */
function matchesEverything(rule: GatewayAuthzRule): boolean {
  const sources = rule.from.map((f) => fields(f.source));
  return !sources.some(nonEmpty) && !rule.operations.some(nonEmpty) && rule.when.length === 0;
}

export const gatewayAuthzNoAllowAll: StackRule = {
  name: "gateway-authz-no-allow-all",
  description:
    "No ALLOW AuthorizationPolicy at the egress gateway has a rule that matches everything (`rules: [{}]`, or " +
    "only empty sources and operations). One such rule allows every caller to every destination and silently " +
    "cancels all per-tenant allow lists. (`spec: {}` is Istio's allow-nothing and is not flagged.)",
  severity: "critical",
  concern: "authorization",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Replace the empty rule with one rule per tenant and service, naming the source and the destination.",
  kinds: [KIND.AuthorizationPolicy],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    return gatewayAuthzRules(objects, mesh)
      .filter((r) => r.action === "ALLOW" && matchesEverything(r))
      .map((r) =>
        violation(
          r.policy,
          `ALLOW rule ${r.index} matches every request, so any caller may use the egress gateway for any destination`,
          "give the rule from.source.namespaces and the destination (connection.sni + ports, or to.operation.hosts)",
        ),
      );
  },
};

const ANYONE = new Set(["*", "0.0.0.0/0", "::/0"]);
// notPrincipals is absent on purpose: excluding callers names nobody who may call.
const SOURCE_FIELDS = ["namespaces", "principals", "ipBlocks", "remoteIpBlocks", "requestPrincipals"];

/** `notPrincipals: ["*"]`: connections that carry no mesh identity at all (plain passthrough's admission). */
function admitsIdentityLess(from: Fields): boolean {
  return texts(dig(from, "source", "notPrincipals")).includes("*");
}

export const gatewayAuthzRulesNameSources: StackRule = {
  name: "gateway-authz-rules-name-sources",
  description:
    "Every ALLOW rule at the egress gateway names its sources: each `from` entry sets namespaces, principals " +
    "or ipBlocks, and not as `*`. Excluding callers (notNamespaces, notPrincipals) names nobody. A rule without " +
    "sources lets any workload of the mesh use the destination it names. (A from entry admitting identity-less " +
    "connections is judged by gateway-authz-no-identity-less-admission.)",
  severity: "high",
  concern: "authorization",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: "Add from.source.namespaces (or principals) for the tenants allowed to use the destination.",
  kinds: [KIND.AuthorizationPolicy],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const out: Violation[] = [];
    for (const rule of gatewayAuthzRules(objects, mesh)) {
      if (rule.action !== "ALLOW" || matchesEverything(rule)) continue;
      // A source of "*" (any namespace, principal or address) names nobody.
      const names = (from: Fields): boolean =>
        admitsIdentityLess(from) ||
        SOURCE_FIELDS.some((f) => {
          const values = texts(dig(from, "source", f));
          return values.length > 0 && !values.some((v) => ANYONE.has(v));
        });
      if (rule.from.length === 0 || !rule.from.every(names)) {
        out.push(
          violation(
            rule.policy,
            `ALLOW rule ${rule.index} does not name its sources, so any workload may use what it allows`,
            "set from[].source.namespaces (or principals) on every from entry of the rule",
          ),
        );
      }
    }
    return out;
  },
};

export const gatewayAuthzNoIdentityLessAdmission: StackRule = {
  name: "gateway-authz-no-identity-less-admission",
  description:
    "No ALLOW rule at the egress gateway admits connections without a mesh identity (`from.source.notPrincipals: " +
    '["*"]`, plain passthrough\'s admission). Every tenant the gateway NetworkPolicy lets in gets through: a pod ' +
    "that bypasses its sidecar, or a tenant's own ServiceEntry + VirtualService to the gateway (auto-mTLS sends " +
    "plaintext there), so the destination cannot be scoped to tenants. Advisory in dev, where plain passthrough " +
    "is tolerated.",
  severity: "high",
  concern: "authorization",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Use mode passthrough-mtls: the gateway then sees the caller's identity and authorizes by source namespace.",
  kinds: [KIND.AuthorizationPolicy],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    return gatewayAuthzRules(objects, mesh)
      .filter((r) => r.action === "ALLOW" && r.from.some(admitsIdentityLess))
      .map((r) =>
        violation(
          r.policy,
          `ALLOW rule ${r.index} admits connections without a mesh identity (notPrincipals ["*"]), so every tenant the gateway's NetworkPolicy lets in may use it, whatever its allow list`,
          "route the service in passthrough-mtls mode and allow it per tenant with from.source.namespaces",
        ),
      );
  },
};

const HTTP_OPERATION_FIELDS = ["hosts", "notHosts", "methods", "notMethods", "paths", "notPaths"];
// `host:*` is the any-port form HTTP rules list beside the bare host.
const stripPort = (host: string): string => host.replace(/:(\d+|\*)$/, "");

function sniValues(rule: GatewayAuthzRule): string[] {
  return rule.when.filter((w) => text(w.key) === "connection.sni").flatMap((w) => texts(w.values));
}

export const gatewayAuthzNoHttpFieldsOnTls: StackRule = {
  name: "gateway-authz-no-http-fields-on-tls",
  description:
    "AuthorizationPolicy rules at the egress gateway use no HTTP-only fields (to.operation hosts, notHosts, " +
    "methods, paths; request.* conditions) for traffic the gateway only sees as TLS or TCP: a passthrough " +
    "server, a TLS-protocol server, a ServiceEntry with only TLS/HTTPS/TCP ports, or a rule keyed on " +
    "connection.sni. On TCP traffic Istio drops an ALLOW rule that uses them (silently denying) and strips " +
    "them from a DENY rule (silently denying more). TLS traffic is authorized by connection.sni and port.",
  severity: "high",
  concern: "authorization",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "For TLS destinations use when: [{key: connection.sni, values: [<host>]}] and to.operation.ports.",
  kinds: [KIND.AuthorizationPolicy],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const out: Violation[] = [];
    for (const rule of gatewayAuthzRules(objects, mesh)) {
      if (rule.action !== "ALLOW" && rule.action !== "DENY") continue;
      const httpFields = new Set<string>();
      for (const op of rule.operations)
        HTTP_OPERATION_FIELDS.filter((f) => texts(op[f]).length > 0).forEach((f) =>
          httpFields.add(`to.operation.${f}`),
        );
      rule.when
        .map((w) => text(w.key) ?? "")
        .filter((k) => k.startsWith("request."))
        .forEach((k) => httpFields.add(`when ${k}`));
      if (httpFields.size === 0) continue;
      const ports = rule.operations
        .flatMap((op) => texts(op.ports))
        .map(integer)
        .filter((p): p is number => p !== undefined);
      const hosts = rule.operations
        .flatMap((op) => texts(op.hosts).concat(texts(op.notHosts)))
        .map(stripPort);
      let reason: string | undefined;
      if (sniValues(rule).length > 0) {
        reason = "the same rule matches connection.sni, so the traffic is TLS";
      } else {
        const opaque = hosts.filter((h) => hostTraffic(mesh, h, ports) === "opaque");
        if (opaque.length > 0) {
          reason = `${opaque.join(", ")} reaches the gateway as TLS/TCP (passthrough or TLS server, or only TLS ports)`;
        } else if (
          hosts.length === 0 &&
          mesh.servers.length > 0 &&
          !mesh.servers.some((s) => s.carriesHttp)
        ) {
          reason = "the egress gateway serves no HTTP at all";
        }
      }
      if (reason === undefined) continue;
      const effect =
        rule.action === "ALLOW"
          ? "Istio drops this ALLOW rule on TCP traffic, so the traffic is silently denied"
          : "Istio ignores these fields on TCP traffic, so this DENY rule silently denies more than written";
      out.push(
        violation(
          rule.policy,
          `${rule.action} rule ${rule.index} uses HTTP-only ${[...httpFields].join(", ")} but ${reason}; ${effect}`,
          "match TLS traffic with when: [{key: connection.sni, values: [<host>]}] and to.operation.ports instead",
        ),
      );
    }
    return out;
  },
};

export const gatewayAuthzHostsRegistered: StackRule = {
  name: "gateway-authz-hosts-registered",
  description:
    "Every host an egress gateway AuthorizationPolicy names (to.operation.hosts or a connection.sni value) has " +
    "a ServiceEntry (an SNI may also be a tenant's alias of a registered host: a host of a VirtualService bound to " +
    "the egress Gateway that routes the registered one). A rule for an unregistered host authorizes nothing that can be routed, and usually means " +
    "a typo or a registry entry deleted while its grant stayed behind.",
  severity: "medium",
  concern: "authorization",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: "Register the host with a ServiceEntry, or remove the rule.",
  kinds: [KIND.AuthorizationPolicy],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const registered = new Set(ofKind(objects, KIND.ServiceEntry).flatMap((e) => texts(specOf(e).hosts)));
    // A tenant's own SNI for a registered host (its own gateway chain): a host of a VirtualService bound to the
    // egress Gateway that also routes a registered host.
    const sniAliases = new Set(
      mesh.routes
        .filter(
          (r) => r.gateways.some((g) => isGatewayRef(mesh, g)) && r.hosts.some((h) => registered.has(h)),
        )
        .flatMap((r) => r.hosts),
    );
    const out: Violation[] = [];
    for (const rule of gatewayAuthzRules(objects, mesh)) {
      const httpHosts = rule.operations.flatMap((op) => texts(op.hosts)).map(stripPort);
      const snis = sniValues(rule).filter((sni) => !sniAliases.has(sni));
      for (const host of new Set([...httpHosts, ...snis])) {
        if (!registered.has(host)) {
          out.push(
            violation(
              rule.policy,
              `rule ${rule.index} names host ${host}, which no ServiceEntry registers`,
              `add a ServiceEntry for ${host} (or fix the host name), or remove the rule`,
            ),
          );
        }
      }
    }
    return out;
  },
};

const WEAK_MTLS = new Set(["DISABLE", "PERMISSIVE"]);

export const peerAuthenticationMtlsRequired: StackRule = {
  name: "peer-authentication-mtls-required",
  description:
    "No PeerAuthentication in the gateway namespace, the mesh root namespace or a tenant namespace sets mTLS to " +
    "DISABLE or PERMISSIVE (for the workload or any port). The gateway authorizes tenants by their mTLS " +
    "identity; plaintext there lets a caller reach it without one, or spoof the source the rules rely on.",
  severity: "high",
  concern: "authorization",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Set mtls.mode STRICT (or remove the PeerAuthentication to inherit the mesh's STRICT setting).",
  kinds: [KIND.PeerAuthentication],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const protectedNamespaces = new Set<string>([mesh.rootNamespace, ...mesh.tenantNamespaces]);
    if (mesh.gatewayNamespace) protectedNamespaces.add(mesh.gatewayNamespace);
    const out: Violation[] = [];
    for (const policy of ofKind(objects, KIND.PeerAuthentication)) {
      const namespace = namespaceOf(policy);
      if (namespace === undefined || !protectedNamespaces.has(namespace)) continue;
      const mode = text(dig(policy.spec, "mtls", "mode"));
      const weak: string[] = [];
      if (mode && WEAK_MTLS.has(mode)) weak.push(`mtls.mode ${mode}`);
      for (const [port, setting] of Object.entries(fields(specOf(policy).portLevelMtls))) {
        const portMode = text(dig(setting, "mode"));
        if (portMode && WEAK_MTLS.has(portMode)) weak.push(`port ${port} mode ${portMode}`);
      }
      if (weak.length > 0) {
        out.push(
          violation(
            policy,
            `sets ${weak.join(", ")} in namespace ${namespace}, where the egress gateway relies on mTLS identity`,
            "set mtls.mode (and every portLevelMtls mode) to STRICT",
          ),
        );
      }
    }
    return out;
  },
};

export const gatewayAuthzDefaultDeny: StackRule = {
  name: "gateway-authz-default-deny",
  description:
    "At least one ALLOW AuthorizationPolicy applies to the egress gateway. Istio allows every request to a " +
    "workload that no ALLOW policy selects: deleting the tenants' policies, or pointing their selectors " +
    "elsewhere, would let any workload of the mesh use the gateway for every registered destination.",
  severity: "critical",
  concern: "authorization",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: "Keep the per-tenant ALLOW policies in the gateway namespace, selecting istio: egressgateway.",
  kinds: [KIND.AuthorizationPolicy, KIND.Gateway, KIND.Namespace, ...CHART_KINDS],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const ns = mesh.gatewayNamespace;
    if (ns === undefined) return [];
    const allows = ofKind(objects, KIND.AuthorizationPolicy).some(
      (p) =>
        (text(specOf(p).action) ?? "ALLOW") === "ALLOW" &&
        policyAppliesToGateway(mesh, p, dig(p.spec, "selector")),
    );
    if (allows) return [];
    return [
      violation(
        { kind: "Namespace", name: ns },
        "no ALLOW AuthorizationPolicy applies to the egress gateway, so Istio lets every workload use it for every destination",
        "add the per-tenant ALLOW policies in the gateway namespace with selector.matchLabels istio: egressgateway",
      ),
    ];
  },
};

export const gatewayAuthzHttpHostsAnyPort: StackRule = {
  name: "gateway-authz-http-hosts-any-port",
  description:
    "Every host an ALLOW rule at the egress gateway lists in to.operation.hosts is listed both bare and as " +
    "`<host>:*`. The match is exact on `:authority`, so a client sending `Host: api.openai.com:80` is denied by " +
    "a rule listing only `api.openai.com` (and granted only on some ports if a port is spelled out).",
  severity: "medium",
  concern: "authorization",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: "List each host twice in to.operation.hosts: `<host>` and `<host>:*`.",
  kinds: [KIND.AuthorizationPolicy],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const out: Violation[] = [];
    for (const rule of gatewayAuthzRules(objects, mesh)) {
      if (rule.action !== "ALLOW") continue;
      for (const operation of rule.operations) {
        const listed = new Set(texts(operation.hosts));
        // Only hosts the gateway sees as HTTP: TLS and unregistered hosts are other rules' findings.
        const bare = [...new Set([...listed].map(stripPort))].filter(
          (host) => hostTraffic(mesh, host) === "http",
        );
        const missing = bare.filter((host) => !listed.has(host) || !listed.has(`${host}:*`));
        if (missing.length === 0) continue;
        out.push(
          violation(
            rule.policy,
            `ALLOW rule ${rule.index} lists ${missing.join(", ")} without both the bare and the \`:*\` form, so requests whose Host carries a port (or none) are denied`,
            `list ${missing.map((h) => `${h} and ${h}:*`).join(", ")} in to.operation.hosts`,
          ),
        );
      }
    }
    return out;
  },
};

export const authorizationRules = [
  gatewayAuthzDefaultDeny,
  gatewayAuthzNoAllowAll,
  gatewayAuthzRulesNameSources,
  gatewayAuthzNoIdentityLessAdmission,
  gatewayAuthzNoHttpFieldsOnTls,
  gatewayAuthzHostsRegistered,
  gatewayAuthzHttpHostsAnyPort,
  peerAuthenticationMtlsRequired,
];
