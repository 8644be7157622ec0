import {
  GATEWAY_SELECTOR,
  INTERNAL_REQUEST_HEADERS,
  PINNED_ADDRESSES_ANNOTATION,
  SERVER_ROOTS_SECRET_ANNOTATION,
  SERVICE_LABEL,
} from "../policy/contract";
import type { EgressConfig, ExternalServiceConfig } from "../stacks/egress-config";
import { directTenants, grantedTenants } from "../stacks/break-glass";
import { originatesTls, traitsOf } from "../stacks/routing-modes";
import { originationCredentialName } from "../stacks/server-trust";
import { gatewayPortFor, gatewayServiceHost, modePortNumber, tenantsAllowedTo } from "./gateway-endpoint";
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
      exportTo: [".", ...tenantsAllowedTo(service, config), ...grantedTenants(service, config)],
    },
  };
}

/** The Gateway: one server per host on the egress gateway pods. */
function gateway(service: ExternalServiceConfig, config: EgressConfig): KubernetesObject {
  const port = gatewayPortFor(service);
  const { protocol, tls } = traitsOf(service).gatewayServer;
  const servers = service.hosts.map((host) => ({
    port: { number: port, name: `${protocol.toLowerCase()}-${hostKey(service, host)}`, protocol },
    hosts: [gatewayServerHost(config, host)],
    tls: { mode: tls },
  }));
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "Gateway",
    metadata: metadataFor(config, service, service.name),
    spec: { selector: { ...GATEWAY_SELECTOR }, servers },
  };
}

/**
 * The subsets of the gateway's own DestinationRule this service needs, one per host. Their SNI
 * must equal the Gateway server's host, or the gateway's listener silently disappears.
 */
export function gatewaySubsets(service: ExternalServiceConfig): Record<string, unknown>[] {
  return service.hosts.map((host) => {
    const subset: Record<string, unknown> = { name: hostKey(service, host) };
    const tls = traitsOf(service).subsetTls;
    if (tls !== "none") {
      subset.trafficPolicy = {
        portLevelSettings: [{ port: { number: gatewayPortFor(service) }, tls: { mode: tls, sni: host } }],
      };
    }
    return subset;
  });
}

/** One VirtualService per host: sidecars send it to the gateway, the gateway sends it out. */
function virtualService(
  service: ExternalServiceConfig,
  host: string,
  config: EgressConfig,
): KubernetesObject {
  const key = hostKey(service, host);
  const gatewayRef = `${config.gateway.namespace}/${service.name}`;
  const port = gatewayPortFor(service);
  const toGateway = [
    { destination: { host: gatewayServiceHost(config), subset: key, port: { number: port } } },
  ];
  const toWorld = [{ destination: { host, port: { number: service.port } } }];

  const { mesh, gateway: out } = traitsOf(service).routes;
  const meshRoute =
    mesh === "http"
      ? { name: `${key}-to-gateway`, match: [{ gateways: ["mesh"], port }], route: toGateway }
      : { match: [{ gateways: ["mesh"], port, sniHosts: [host] }], route: toGateway };
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
  const routes: Record<string, unknown[]> = { [mesh]: [meshRoute] };
  routes[out] = [...(routes[out] ?? []), gatewayRoute];
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "VirtualService",
    metadata: metadataFor(config, service, key),
    spec: {
      hosts: [host],
      gateways: ["mesh", gatewayRef],
      exportTo: [".", ...tenantsThroughGateway(service, config)],
      ...routes,
    },
  };
}

/** Tenants whose sidecars route the host to the gateway: allowed or granted, minus those sent direct by break-glass. */
function tenantsThroughGateway(service: ExternalServiceConfig, config: EgressConfig): string[] {
  const direct = new Set(directTenants(service, config));
  return [...tenantsAllowedTo(service, config), ...grantedTenants(service, config)].filter(
    (tenant) => !direct.has(tenant),
  );
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
  const objects: KubernetesObject[] = [serviceEntry(service, config), gateway(service, config)];
  for (const host of service.hosts) {
    if (originatesTls(service)) {
      objects.push(originationRule(service, host, config));
    }
    objects.push(virtualService(service, host, config));
  }
  if (!traitsOf(service).identityAtGateway && tenantsAllowedTo(service, config).length > 0) {
    objects.push(passthroughAuthorization(service, config));
  }
  return objects;
}
