import * as pulumi from "@pulumi/pulumi";
import { GATEWAY_SELECTOR, SERVER_ROOTS_SECRET_ANNOTATION, SERVICE_LABEL } from "../policy/contract";
import type { EgressConfig, ExternalServiceConfig } from "../stacks/egress-config";
import { originatesTls } from "../stacks/schema";
import { originationCredentialName } from "../stacks/server-trust";
import { GATEWAY_HTTP_PORT, gatewayPortFor, gatewayServiceHost, tenantsAllowedTo } from "./gateway-endpoint";
import { KubernetesObject, ownedLabels } from "./kubernetes-object";
import { registerManifests, upstreamOf } from "./register-manifests";

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

/** The ServiceEntry: registers the host, resolved by DNS at the gateway, visible only where allowed. */
function serviceEntry(service: ExternalServiceConfig, config: EgressConfig): KubernetesObject {
  const ports = originatesTls(service)
    ? [
        { number: GATEWAY_HTTP_PORT, name: "http", protocol: "HTTP" },
        { number: service.port, name: `https-${service.port}`, protocol: "HTTPS" },
      ]
    : [{ number: service.port, name: `tls-${service.port}`, protocol: "TLS" }];
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "ServiceEntry",
    metadata: metadataFor(config, service, service.name),
    spec: {
      hosts: [...service.hosts],
      location: "MESH_EXTERNAL",
      // DNS, never NONE: NONE would trust whatever address the client dialled.
      resolution: "DNS",
      ports,
      exportTo: [".", ...tenantsAllowedTo(service, config)],
    },
  };
}

/** The Gateway: one server per host on the egress gateway pods. */
function gateway(service: ExternalServiceConfig, config: EgressConfig): KubernetesObject {
  const port = gatewayPortFor(service);
  const servers = service.hosts.map((host) => {
    const key = hostKey(service, host);
    if (service.mode === "passthrough") {
      return {
        port: { number: port, name: `tls-${key}`, protocol: "TLS" },
        hosts: [gatewayServerHost(config, host)],
        tls: { mode: "PASSTHROUGH" },
      };
    }
    return {
      port: originatesTls(service)
        ? { number: port, name: `https-${key}`, protocol: "HTTPS" }
        : { number: port, name: `tls-${key}`, protocol: "TLS" },
      hosts: [gatewayServerHost(config, host)],
      tls: { mode: "ISTIO_MUTUAL" },
    };
  });
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
    if (service.mode !== "passthrough") {
      subset.trafficPolicy = {
        portLevelSettings: [
          { port: { number: gatewayPortFor(service) }, tls: { mode: "ISTIO_MUTUAL", sni: host } },
        ],
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

  let routes: Record<string, unknown>;
  switch (service.mode) {
    case "passthrough":
      routes = {
        tls: [
          { match: [{ gateways: ["mesh"], port, sniHosts: [host] }], route: toGateway },
          { match: [{ gateways: [gatewayRef], port, sniHosts: [host] }], route: toWorld },
        ],
      };
      break;
    case "passthrough-mtls":
      routes = {
        tls: [{ match: [{ gateways: ["mesh"], port, sniHosts: [host] }], route: toGateway }],
        // The gateway has unwrapped the mesh mTLS; the application's own TLS goes out as bytes.
        tcp: [{ match: [{ gateways: [gatewayRef], port }], route: toWorld }],
      };
      break;
    case "originate":
    case "originate-mutual":
      routes = {
        http: [
          { name: `${key}-to-gateway`, match: [{ gateways: ["mesh"], port }], route: toGateway },
          {
            // Named so that EnvoyFilters (rate limits) can target the gateway's outbound route.
            name: `${key}-to-external`,
            match: [{ gateways: [gatewayRef], port }],
            // Internal identities never leave the cluster.
            headers: { request: { remove: ["x-forwarded-client-cert"] } },
            route: toWorld,
          },
        ],
      };
      break;
  }
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "VirtualService",
    metadata: metadataFor(config, service, key),
    spec: {
      hosts: [host],
      gateways: ["mesh", gatewayRef],
      exportTo: [".", ...tenantsAllowedTo(service, config)],
      ...routes,
    },
  };
}

/** Where the gateway originates TLS: verification settings for the external host, seen only by the gateway. */
function originationRule(
  service: ExternalServiceConfig,
  host: string,
  config: EgressConfig,
): KubernetesObject {
  const mutual = service.mode === "originate-mutual";
  const tls: Record<string, unknown> = {
    mode: mutual ? "MUTUAL" : "SIMPLE",
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
  if (service.mode === "passthrough" && tenantsAllowedTo(service, config).length > 0) {
    objects.push(passthroughAuthorization(service, config));
  }
  return objects;
}

export interface ExternalServiceArgs {
  /** The validated service declaration. */
  readonly service: ExternalServiceConfig;
  /** The whole validated configuration (gateway namespace, tenants that may use the service). */
  readonly config: EgressConfig;
}

/** One external service in the registry, routed through the egress gateway in its mode. */
export class ExternalService extends pulumi.ComponentResource {
  /** The hosts this service registers. */
  public readonly hosts: pulumi.Output<string[]>;

  constructor(name: string, args: ExternalServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-egress:index:ExternalService", name, {}, opts);
    registerManifests(name, buildExternalServiceManifests(args.service, args.config), {
      parent: this,
      dependsOn: upstreamOf(opts),
    });
    this.hosts = pulumi.output([...args.service.hosts]);
    this.registerOutputs({ hosts: this.hosts });
  }
}
