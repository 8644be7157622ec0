import {
  APPROVED_BY_ANNOTATION,
  BREAK_GLASS_LABEL,
  BREAK_GLASS_SCOPE_LABEL,
  COMPONENT_LABEL,
  EXPIRES_AT_ANNOTATION,
  GATEWAY_SELECTOR,
  NAMESPACE_NAME_LABEL,
  REASON_ANNOTATION,
  TICKET_ANNOTATION,
} from "../policy/contract";
import type { BreakGlassEntry } from "../stacks/model/break-glass";
import type { EgressConfig, ExternalServiceConfig } from "../stacks/model/egress-config";
import { directGrantsOf } from "../stacks/relations/grants";
import { clusterInternalRanges } from "../stacks/schema/values/internal-ranges";
import { passAheadOfLock } from "./cluster-egress-lock";
import { traitsOf } from "../stacks/routing-modes";
import { GATEWAY_HTTP_PORT } from "./gateway-endpoint";
import { hostKey } from "./external-service";
import { KubernetesObject, ownedLabels } from "./kubernetes-object";
import type { PrometheusRuleGroup } from "./observability";
import { gatewayAuthorizationRule } from "./tenant";

/** Labels and annotations on everything an entry adds, so lint judges it from the object alone. */
function metadataFor(entry: BreakGlassEntry, name: string, namespace?: string) {
  return {
    name,
    // Absent on cluster-scoped objects.
    ...(namespace === undefined ? {} : { namespace }),
    labels: ownedLabels({
      [COMPONENT_LABEL]: "break-glass",
      [BREAK_GLASS_LABEL]: entry.id,
      [BREAK_GLASS_SCOPE_LABEL]: entry.scope,
    }),
    annotations: {
      [EXPIRES_AT_ANNOTATION]: entry.expiresAt,
      [REASON_ANNOTATION]: entry.reason,
      [TICKET_ANNOTATION]: entry.ticket,
      [APPROVED_BY_ANNOTATION]: entry.approvedBy,
    },
  };
}

/** A temporary service's objects (a grant's own destination), marked as the entry's like everything it adds. */
export function markedAsBreakGlass(
  objects: readonly KubernetesObject[],
  entry: BreakGlassEntry,
): KubernetesObject[] {
  const { labels, annotations } = metadataFor(entry, "", "");
  return objects.map((object) => ({
    ...object,
    metadata: {
      ...object.metadata,
      labels: {
        ...object.metadata.labels,
        [BREAK_GLASS_LABEL]: labels[BREAK_GLASS_LABEL],
        [BREAK_GLASS_SCOPE_LABEL]: labels[BREAK_GLASS_SCOPE_LABEL],
      },
      annotations: { ...object.metadata.annotations, ...annotations },
    },
  }));
}

/** Kubernetes reads an empty port list as every port: a direct exception never renders one. */
function assertPortsNamed(entry: BreakGlassEntry, tenants: string, ports: readonly number[]): void {
  if (ports.length === 0) {
    throw new Error(
      `break-glass ${entry.id}: no service ports for ${tenants} would open every port: validate the config first`,
    );
  }
}

/** `direct`: the tenant's pods may reach public addresses, on its services' ports only. */
function directNetworkPolicy(
  entry: BreakGlassEntry,
  tenant: string,
  ports: readonly number[],
  config: EgressConfig,
): KubernetesObject {
  assertPortsNamed(entry, tenant, ports);
  const internal = clusterInternalRanges(config);
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: metadataFor(entry, `break-glass-${entry.id}`, tenant),
    spec: {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        {
          // Public addresses only: internal ranges (and the cluster's own) stay closed, as at the gateway.
          to: [
            { ipBlock: { cidr: "0.0.0.0/0", except: internal.ipv4 } },
            { ipBlock: { cidr: "::/0", except: internal.ipv6 } },
          ],
          ports: ports.map((port) => ({ protocol: "TCP", port })),
        },
      ],
    },
  };
}

/** `direct`: the sidecars' route for one host goes straight out instead of to the gateway. */
function directRoutes(
  entry: BreakGlassEntry,
  service: ExternalServiceConfig,
  tenants: readonly string[],
  config: EgressConfig,
): KubernetesObject[] {
  const how = traitsOf(service).directEgress;
  return service.hosts.flatMap((host) => {
    const name = `break-glass-${entry.id}-${hostKey(service, host)}`;
    const destination = { host, port: { number: service.port } };
    const routes =
      how === "app-tls"
        ? { tls: [{ match: [{ port: service.port, sniHosts: [host] }], route: [{ destination }] }] }
        : { http: [{ match: [{ port: GATEWAY_HTTP_PORT }], route: [{ destination }] }] };
    const virtualService: KubernetesObject = {
      apiVersion: "networking.istio.io/v1",
      kind: "VirtualService",
      metadata: metadataFor(entry, name, config.gateway.namespace),
      spec: { hosts: [host], gateways: ["mesh"], exportTo: [...tenants], ...routes },
    };
    if (how !== "sidecar-originates") return [virtualService];
    // The app still sends plain HTTP; its sidecar originates and verifies TLS while the gateway is down.
    const origination: KubernetesObject = {
      apiVersion: "networking.istio.io/v1",
      kind: "DestinationRule",
      metadata: metadataFor(entry, name, config.gateway.namespace),
      spec: {
        host,
        exportTo: [...tenants],
        trafficPolicy: {
          portLevelSettings: [
            {
              port: { number: service.port },
              tls: {
                mode: "SIMPLE",
                sni: service.tls?.sni ?? host,
                subjectAltNames: [...(service.tls?.subjectAltNames ?? [host])],
              },
            },
          ],
        },
      },
    };
    return [virtualService, origination];
  });
}

/**
 * `direct` under the cluster-wide lock: an AdminNetworkPolicy one step ahead of the lock's Deny passes the
 * tenants' public egress on their services' ports back to their NetworkPolicies (the entry's own above).
 */
function directLockPass(
  entry: BreakGlassEntry,
  tenants: readonly string[],
  ports: readonly number[],
  config: EgressConfig,
): KubernetesObject[] {
  if (!config.cluster.lockAllNamespaces.enabled || tenants.length === 0) return [];
  assertPortsNamed(entry, tenants.join(", "), ports);
  return [
    passAheadOfLock(config, {
      metadata: metadataFor(entry, `mesh-egress-break-glass-${entry.id}`),
      subject: {
        namespaces: {
          matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: "In", values: [...tenants] }],
        },
      },
      ruleName: `break-glass-${entry.id}`,
      ports: ports.map((port) => ({ protocol: "TCP", port })),
    }),
  ];
}

function directObjects(entry: BreakGlassEntry, config: EgressConfig): KubernetesObject[] {
  const tenants = config.tenants.filter((t) => entry.tenants.includes(t.namespace));
  const grants = directGrantsOf(entry, config);
  const policies = tenants.map((tenant) =>
    directNetworkPolicy(
      entry,
      tenant.namespace,
      [...new Set(grants.filter((g) => g.tenant === tenant.namespace).map((g) => g.service.port))],
      config,
    ),
  );
  const routes = config.services.flatMap((service) => {
    const users = grants.filter((g) => g.service.name === service.name).map((g) => g.tenant);
    return users.length > 0 ? directRoutes(entry, service, users, config) : [];
  });
  const ports = [...new Set(grants.map((g) => g.service.port))].sort((a, b) => a - b);
  const lockPass = directLockPass(
    entry,
    tenants.map((t) => t.namespace),
    ports,
    config,
  );
  return [...policies, ...routes, ...lockPass];
}

/** `grant`: the tenant's own ALLOW rule at the gateway, separate so it leaves with the entry. */
function grantObjects(entry: BreakGlassEntry, config: EgressConfig): KubernetesObject[] {
  const grant = config.grants.inForce.find(
    (g) => g.source.kind === "break-glass-grant" && g.source.entry === entry,
  );
  // validateBreakGlass refuses an entry whose tenant or service is unknown: such an entry has no grant.
  if (!grant) throw new Error(`break-glass ${entry.id} grants nothing: validate the config first`);
  return [
    {
      apiVersion: "security.istio.io/v1",
      kind: "AuthorizationPolicy",
      metadata: metadataFor(entry, `break-glass-${entry.id}`, config.gateway.namespace),
      spec: {
        selector: { matchLabels: { ...GATEWAY_SELECTOR } },
        action: "ALLOW",
        rules: [gatewayAuthorizationRule(grant.tenant, grant.service)],
      },
    },
  ];
}

export interface BreakGlassManifests {
  /** Per active entry, the objects it adds; expired entries add nothing. */
  readonly entries: readonly { readonly entry: BreakGlassEntry; readonly objects: KubernetesObject[] }[];
}

/**
 * The objects of every active entry. A grant also widens the service's exportTo and the tenant's
 * Sidecar, and `direct` narrows the service's gateway routes' exportTo: those builders read the
 * same validated entries. Pure: same config, same objects.
 */
export function buildBreakGlassManifests(config: EgressConfig): BreakGlassManifests {
  return {
    entries: config.breakGlass.active.map((entry) => ({
      entry,
      objects: entry.scope === "direct" ? directObjects(entry, config) : grantObjects(entry, config),
    })),
  };
}

/** Seconds since the epoch, as PromQL's `time()` counts. */
const epochSeconds = (entry: BreakGlassEntry) => Math.floor(entry.expiresAtMs / 1000);

/**
 * One alert pair per active entry, its expiry written into the expression: `Active` fires until the
 * expiry, `Overdue` from then on, when the objects outlived the entry because nobody re-ran `up`.
 */
export function breakGlassRuleGroups(entries: readonly BreakGlassEntry[]): PrometheusRuleGroup[] {
  if (entries.length === 0) return [];
  const runbook = "docs/runbooks.md#break-glass";
  return [
    {
      name: "mesh-egress.break-glass",
      rules: entries.flatMap((entry) => {
        const labels = { break_glass: entry.id, scope: entry.scope, ticket: entry.ticket };
        const who = `${entry.scope === "direct" ? "around the gateway" : "through the gateway"} for ${entry.tenants.join(", ")}`;
        return [
          {
            alert: "MeshEgressBreakGlassActive",
            expr: `vector(time()) < ${epochSeconds(entry)}`,
            for: "0m",
            labels: { severity: entry.scope === "direct" ? "critical" : "warning", ...labels },
            annotations: {
              summary: `Break-glass ${entry.id} is active until ${entry.expiresAt} (${entry.ticket})`,
              description: `Egress exception ${who}: ${entry.reason}. Approved by ${entry.approvedBy}; it expires by itself at ${entry.expiresAt}.`,
              runbook_url: runbook,
            },
          },
          {
            alert: "MeshEgressBreakGlassOverdue",
            expr: `vector(time()) >= ${epochSeconds(entry)}`,
            for: "0m",
            labels: { severity: "critical", ...labels },
            annotations: {
              summary: `Break-glass ${entry.id} expired at ${entry.expiresAt} but is still deployed`,
              description: `The exception ${who} outlived its expiry: run pulumi up (the scheduled workflow does) to remove it.`,
              runbook_url: runbook,
            },
          },
        ];
      }),
    },
  ];
}
