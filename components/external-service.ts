import {
  GATEWAY_SELECTOR,
  INTERNAL_REQUEST_HEADERS,
  PINNED_ADDRESSES_ANNOTATION,
  SERVER_ROOTS_SECRET_ANNOTATION,
  SERVICE_LABEL,
} from "../policy/contract";
import type { EgressConfig, ExternalServiceConfig } from "../stacks/model/egress-config";
import { allowedTenants, grantedTenants } from "../stacks/relations/grants";
import { originatesTls, traitsOf } from "../stacks/routing-modes";
import { originationCredentialName } from "../stacks/model/server-trust";
import { httpGatewayRef } from "./gateway-http-server";
import { chainTenants, sniTenants, tenantSni, tenantsThroughGateway } from "./tenant-sni";
import { gatewayPortFor, gatewayServiceHost, modePortNumber } from "./gateway-endpoint";
import { KubernetesObject, ownedLabels } from "./kubernetes-object";

/**
 * The name of the per-host objects (VirtualService, subset, origination rule) of a service: the
 * service's name when it has one host, `<service>-<host with dots as dashes>` otherwise.
 */
export function hostKey(service: ExternalServiceConfig, host: string): string {
  return service.hosts.length === 1 ? service.name : `${service.name}-${host.replace(/\./g, "-")}`;
}

/** The server name the gateway presents and matches for a host: namespace-qualified, never a wildcard. */
function gatewayServerHost(config: EgressConfig, host: string): string {
  return `${config.gateway.namespace}/${host}`;
}

function metadataFor(config: EgressConfig, service: ExternalServiceConfig, name: string) {
  return {
    name,
    namespace: config.gateway.namespace,
    labels: ownedLabels({ [SERVICE_LABEL]: service.name }),
  };
}

/**
 * How the gateway finds the service's servers: by DNS, or, when pinned, only the listed addresses (STATIC
 * endpoints, no DNS lookup at all). Endpoints carry no ports: each takes the ServiceEntry port's number.
 */
function resolutionOf(service: ExternalServiceConfig): Record<string, unknown> {
  const pinned = service.pinnedAddresses ?? [];
  // DNS, never NONE: NONE would trust whatever address the client dialled.
  if (pinned.length === 0) return { resolution: "DNS" };
  return { resolution: "STATIC", endpoints: pinned.map((address) => ({ address })) };
}

/** The ServiceEntry: registers the host, resolved by DNS (or pinned) at the gateway, visible only where allowed. */
function serviceEntry(service: ExternalServiceConfig, config: EgressConfig): KubernetesObject {
  // The gateway's plain-HTTP port is named "http"; external ports carry their number.
  const ports = traitsOf(service).serviceEntryPorts.map(({ port, protocol }) => ({
    number: modePortNumber(service, port),
    name: port === "gateway-http" ? "http" : `${protocol.toLowerCase()}-${service.port}`,
    protocol,
  }));
  const pinned = service.pinnedAddresses ?? [];
  const metadata = metadataFor(config, service, service.name);
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "ServiceEntry",
    // The declared pin, for the policy pack to hold the endpoints to.
    metadata:
      pinned.length > 0
        ? { ...metadata, annotations: { [PINNED_ADDRESSES_ANNOTATION]: pinned.join(",") } }
        : metadata,
    spec: {
      hosts: [...service.hosts],
      location: "MESH_EXTERNAL",
      ...resolutionOf(service),
      ports,
      // Break-glass grants make the host visible to the granted tenant while they last.
      exportTo: [".", ...allowedTenants(service, config), ...grantedTenants(service, config)],
    },
  };
}

/**
 * The Gateway of a TLS-mode service: one server per host. A TLS-terminated tcp server forwards to the
 * first tcp route that matches it (gateway.go, buildGatewayNetworkFiltersFromTCPRoutes), so each host
 * needs its own chain; HTTP-mode hosts share one server instead (gateway-http-server.ts).
 */
function gateway(service: ExternalServiceConfig, config: EgressConfig): KubernetesObject {
  const port = gatewayPortFor(service);
  const { protocol, tls } = traitsOf(service).gatewayServer;
  const server = (name: string, sni: string) => ({
    port: { number: port, name: `${protocol.toLowerCase()}-${name}`, protocol },
    hosts: [gatewayServerHost(config, sni)],
    tls: { mode: tls },
  });
  const tenants = chainTenants(service, config);
  // One server, hence one chain, per tenant and host: each tenant's connection limits are its own.
  const servers =
    tenants.length > 0
      ? service.hosts.flatMap((host) =>
          tenants.map((tenant) => server(`${hostKey(service, host)}-${tenant}`, tenantSni(tenant, host))),
        )
      : service.hosts.map((host) => server(hostKey(service, host), host));
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "Gateway",
    metadata: metadataFor(config, service, service.name),
    spec: { selector: { ...GATEWAY_SELECTOR }, servers },
  };
}

/** The subset a tenant's sidecars use for a host: the host's own, or the tenant's where it has its own chain. */
export function gatewaySubsetName(service: ExternalServiceConfig, host: string, tenant?: string): string {
  return tenant === undefined ? hostKey(service, host) : `${hostKey(service, host)}-${tenant}`;
}

/** One subset of the gateway's own DestinationRule: its name and, with mesh mTLS, the SNI it presents. */
export interface GatewaySubset {
  readonly subset: Record<string, unknown>;
  /** The tenant whose chain the subset reaches; undefined for a subset all tenants share. */
  readonly tenant?: string;
}

/**
 * The subsets of the gateway's own DestinationRule this service needs: one per host, or one per host and
 * tenant for services with tenant chains. Their SNI must equal a Gateway server's host, or the gateway's
 * listener silently disappears.
 */
export function gatewaySubsets(service: ExternalServiceConfig, config: EgressConfig): GatewaySubset[] {
  const tls = traitsOf(service).subsetTls;
  const subset = (name: string, sni: string): Record<string, unknown> =>
    tls === "none"
      ? { name }
      : {
          name,
          trafficPolicy: {
            portLevelSettings: [{ port: { number: gatewayPortFor(service) }, tls: { mode: tls, sni } }],
          },
        };
  const tenants = chainTenants(service, config);
  if (tenants.length === 0) {
    return service.hosts.map((host) => ({ subset: subset(gatewaySubsetName(service, host), host) }));
  }
  return service.hosts.flatMap((host) =>
    tenants.map((tenant) => ({
      subset: subset(gatewaySubsetName(service, host, tenant), tenantSni(tenant, host)),
      tenant,
    })),
  );
}

/** One VirtualService per host: sidecars send it to the gateway, the gateway sends it out. */
function virtualService(
  service: ExternalServiceConfig,
  host: string,
  config: EgressConfig,
): KubernetesObject {
  const key = hostKey(service, host);
  const gatewayRef = gatewayRefFor(service, config);
  const port = gatewayPortFor(service);
  const toSubset = (subset: string) => [
    { destination: { host: gatewayServiceHost(config), subset, port: { number: port } } },
  ];
  const toGateway = toSubset(key);
  const tenants = chainTenants(service, config);
  const toWorld = [{ destination: { host, port: { number: service.port } } }];

  const { mesh, gateway: out } = traitsOf(service).routes;
  // With tenant chains, each tenant's sidecars (sourceNamespace) take the tenant's own subset.
  const meshRoutes =
    mesh === "http"
      ? [{ name: `${key}-to-gateway`, match: [{ gateways: ["mesh"], port }], route: toGateway }]
      : tenants.length > 0
        ? tenants.map((tenant) => ({
            match: [{ gateways: ["mesh"], port, sniHosts: [host], sourceNamespace: tenant }],
            route: toSubset(gatewaySubsetName(service, host, tenant)),
          }))
        : [{ match: [{ gateways: ["mesh"], port, sniHosts: [host] }], route: toGateway }];
  let gatewayRoute: Record<string, unknown>;
  switch (out) {
    case "tls":
      gatewayRoute = { match: [{ gateways: [gatewayRef], port, sniHosts: [host] }], route: toWorld };
      break;
    case "tcp":
      // The gateway has unwrapped the mesh mTLS; the application's own TLS goes out as bytes.
      gatewayRoute = { match: [{ gateways: [gatewayRef], port }], route: toWorld };
      break;
    case "http":
      gatewayRoute = {
        // Named so that EnvoyFilters (rate limits) can target the gateway's outbound route.
        name: `${key}-to-external`,
        match: [{ gateways: [gatewayRef], port }],
        // Internal identities, pod details and the tenant pod's address never leave the cluster.
        headers: { request: { remove: [...INTERNAL_REQUEST_HEADERS] } },
        route: toWorld,
      };
      break;
    default:
      throw new Error(`no gateway route for ${out satisfies never}`);
  }
  const routes: Record<string, unknown[]> = { [mesh]: meshRoutes };
  routes[out] = [...(routes[out] ?? []), gatewayRoute];
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "VirtualService",
    metadata: metadataFor(config, service, key),
    spec: {
      // The tenant SNIs too: the gateway picks a tenant server's tcp route by these hosts (gateway.go).
      hosts: [host, ...sniTenants(service, config).map((tenant) => tenantSni(tenant, host))],
      gateways: ["mesh", gatewayRef],
      exportTo: [".", ...tenantsThroughGateway(service, config)],
      ...routes,
    },
  };
}

/** The Gateway a service's gateway-side routes bind to: the shared HTTP server's, or the service's own. */
export function gatewayRefFor(service: ExternalServiceConfig, config: EgressConfig): string {
  return originatesTls(service) ? httpGatewayRef(config) : `${config.gateway.namespace}/${service.name}`;
}

/** Where the gateway originates TLS: verification settings for the external host, seen only by the gateway. */
function originationRule(
  service: ExternalServiceConfig,
  host: string,
  config: EgressConfig,
): KubernetesObject {
  const tls: Record<string, unknown> = {
    mode: traitsOf(service).origination,
    sni: service.tls?.sni ?? host,
    subjectAltNames: [...(service.tls?.subjectAltNames ?? [host])],
  };
  // MUTUAL: the client certificate's Secret. SIMPLE with a private CA: a roots-only credential. Either
  // way istiod verifies the server against `<credentialName>-cacert`; without one, the system roots.
  const credentialName = originationCredentialName(service);
  if (credentialName) {
    tls.credentialName = credentialName;
  }
  const bundle = service.tls?.caBundle;
  // Roots in a Secret the stack references but does not manage: say so, for reviewers and the policy pack.
  const annotations =
    bundle && "secretRef" in bundle ? { [SERVER_ROOTS_SECRET_ANNOTATION]: bundle.secretRef.name } : undefined;
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "DestinationRule",
    metadata: {
      ...metadataFor(config, service, `${hostKey(service, host)}-origination`),
      ...(annotations ? { annotations } : {}),
    },
    spec: {
      host,
      // "." keeps sidecars from originating TLS themselves: only the gateway applies this rule.
      exportTo: ["."],
      trafficPolicy: { portLevelSettings: [{ port: { number: service.port }, tls }] },
    },
  };
}

/**
 * Plain passthrough carries no workload identity to the gateway, so its traffic is admitted by SNI
 * from identity-less connections only; tenant scoping comes from exportTo, Sidecars and NetworkPolicy.
 */
function passthroughAuthorization(service: ExternalServiceConfig, config: EgressConfig): KubernetesObject {
  return {
    apiVersion: "security.istio.io/v1",
    kind: "AuthorizationPolicy",
    metadata: metadataFor(config, service, `${service.name}-passthrough`),
    spec: {
      selector: { matchLabels: { ...GATEWAY_SELECTOR } },
      action: "ALLOW",
      rules: [
        {
          from: [{ source: { notPrincipals: ["*"] } }],
          to: [{ operation: { ports: [String(service.port)] } }],
          when: [{ key: "connection.sni", values: [...service.hosts] }],
        },
      ],
    },
  };
}

/** Every object one external service needs, in apply order. Pure: same config, same objects. */
export function buildExternalServiceManifests(
  service: ExternalServiceConfig,
  config: EgressConfig,
): KubernetesObject[] {
  const objects: KubernetesObject[] = [
    serviceEntry(service, config),
    // HTTP-mode hosts are served by the shared HTTP Gateway, one filter chain for all of them.
    ...(originatesTls(service) ? [] : [gateway(service, config)]),
  ];
  for (const host of service.hosts) {
    if (originatesTls(service)) {
      objects.push(originationRule(service, host, config));
    }
    objects.push(virtualService(service, host, config));
  }
  if (!traitsOf(service).identityAtGateway && allowedTenants(service, config).length > 0) {
    objects.push(passthroughAuthorization(service, config));
  }
  return objects;
}
