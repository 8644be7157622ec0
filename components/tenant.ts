import type { EgressConfig, ExternalServiceConfig, TenantConfig } from "../stacks/model/egress-config";
import { allowedServices, grantedServices } from "../stacks/relations/grants";
import { traitsOf } from "../stacks/routing-modes";
import {
  DEFAULT_TENANT_POD_SECURITY,
  GATEWAY_SELECTOR,
  POD_SECURITY_ENFORCE_LABEL,
  TENANT_LABEL,
} from "../policy/contract";
import { gatewayListenerPorts, gatewayPortFor, gatewayServiceHost } from "./gateway-endpoint";
import { KubernetesObject, ownedLabels } from "./kubernetes-object";
import { injectionLabels } from "./mesh-injection";
import { hasTenantChains, tenantSni } from "./tenant-sni";
import {
  dnsEgressRule,
  gatewayEgressRule,
  inClusterEgressRule,
  istiodEgressRule,
} from "./network-policy-peers";

/** `host:port` destinations a tenant may reach, as reported in stack outputs and audits. */
export function allowedDestinations(tenant: TenantConfig, config: EgressConfig): string[] {
  return allowedServices(tenant, config).flatMap((s) => s.hosts.map((host) => `${host}:${s.port}`));
}

function labels(tenant: TenantConfig): Record<string, string> {
  return ownedLabels({ [TENANT_LABEL]: tenant.namespace });
}

/**
 * Kubernetes' own Pod Security admission for the tenant, where it fits: only with Istio CNI, since without it the
 * injected istio-init needs NET_ADMIN and NET_RAW, which baseline refuses (a guardrail applies the same rules then).
 */
function podSecurityLabels(tenant: TenantConfig, config: EgressConfig): Record<string, string> {
  if (!config.controlPlane.cni) return {};
  return { [POD_SECURITY_ENFORCE_LABEL]: tenant.podSecurity ?? DEFAULT_TENANT_POD_SECURITY };
}

/** The tenant's namespace, enrolled in the mesh so its traffic can be routed and identified. */
function namespace(tenant: TenantConfig, config: EgressConfig): KubernetesObject {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name: tenant.namespace,
      labels: { ...labels(tenant), ...injectionLabels(config), ...podSecurityLabels(tenant, config) },
    },
  };
}

/** REGISTRY_ONLY Sidecar: the tenant's proxies know only their namespace, the control plane and their allowed hosts. */
function sidecar(tenant: TenantConfig, config: EgressConfig): KubernetesObject {
  const gatewayNamespace = config.gateway.namespace;
  const hosts = [
    "./*",
    `${config.controlPlane.namespace}/*`,
    `${gatewayNamespace}/${gatewayServiceHost(config)}`,
    ...allowedServices(tenant, config).flatMap((s) => s.hosts.map((host) => `${gatewayNamespace}/${host}`)),
    // Hosts of break-glass grants: scoping only; the grant's AuthorizationPolicy is the permission.
    ...grantedServices(tenant, config).flatMap((s) => s.hosts.map((host) => `${gatewayNamespace}/${host}`)),
  ];
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "Sidecar",
    metadata: { name: "default", namespace: tenant.namespace, labels: labels(tenant) },
    spec: {
      outboundTrafficPolicy: { mode: "REGISTRY_ONLY" },
      egress: [{ hosts }],
    },
  };
}

/**
 * Default-deny egress for the whole namespace: DNS, istiod, the gateway (each on its ports) and other
 * in-cluster pods. A pod that bypasses its sidecar still cannot reach the internet, nor relay through a
 * proxy in the platform's namespaces.
 */
function egressNetworkPolicy(tenant: TenantConfig, config: EgressConfig): KubernetesObject {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "egress-via-gateway", namespace: tenant.namespace, labels: labels(tenant) },
    spec: {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        dnsEgressRule(config),
        istiodEgressRule(config),
        // Before any service the gateway listens on nothing: an empty port list would open all its ports.
        ...(gatewayListenerPorts(config).length > 0 ? [gatewayEgressRule(config)] : []),
        inClusterEgressRule(config),
      ],
    },
  };
}

/** One tenant × service ALLOW rule at the gateway, matched as the service's routing mode allows. */
export function gatewayAuthorizationRule(
  tenant: string,
  service: ExternalServiceConfig,
): Record<string, unknown> {
  const from = [{ source: { namespaces: [tenant] } }];
  return traitsOf(service).authorizationMatch === "http-host"
    ? {
        from,
        // An exact match on :authority: `Host: <host>:80` needs the `:*` form.
        to: [
          {
            operation: {
              hosts: service.hosts.flatMap((host) => [host, `${host}:*`]),
              ports: [String(gatewayPortFor(service))],
            },
          },
        ],
      }
    : {
        from,
        to: [{ operation: { ports: [String(gatewayPortFor(service))] } }],
        // With tenant chains the tenant's own SNIs: another tenant presenting them is refused here.
        when: [
          {
            key: "connection.sni",
            values: hasTenantChains(service)
              ? service.hosts.map((host) => tenantSni(tenant, host))
              : [...service.hosts],
          },
        ],
      };
}

/**
 * The tenant's rules at the gateway: who (its namespace) may reach what. TLS modes are matched on
 * SNI and port, HTTP modes on host: `hosts` on TLS traffic would make the rule silently never match.
 */
function gatewayAuthorization(tenant: TenantConfig, config: EgressConfig): KubernetesObject | undefined {
  const rules = allowedServices(tenant, config)
    .filter((service) => traitsOf(service).identityAtGateway)
    .map((service) => gatewayAuthorizationRule(tenant.namespace, service));
  if (rules.length === 0) {
    return undefined;
  }
  return {
    apiVersion: "security.istio.io/v1",
    kind: "AuthorizationPolicy",
    metadata: {
      name: `tenant-${tenant.namespace}`,
      namespace: config.gateway.namespace,
      labels: labels(tenant),
    },
    spec: { selector: { matchLabels: { ...GATEWAY_SELECTOR } }, action: "ALLOW", rules },
  };
}

export interface TenantManifests {
  /** The tenant namespace: registered first, and kept when the stack is destroyed. */
  readonly namespace: KubernetesObject;
  /** Sidecar, NetworkPolicy and the tenant's AuthorizationPolicy at the gateway. */
  readonly objects: KubernetesObject[];
}

/** Every object one tenant needs. Pure: same config, same objects. */
export function buildTenantManifests(tenant: TenantConfig, config: EgressConfig): TenantManifests {
  const authorization = gatewayAuthorization(tenant, config);
  return {
    namespace: namespace(tenant, config),
    objects: [
      sidecar(tenant, config),
      egressNetworkPolicy(tenant, config),
      ...(authorization ? [authorization] : []),
    ],
  };
}
