/**
 * The routing modes of an external service and everything that differs between them, in one
 * table. Builders and config validation read these traits instead of comparing mode names, so a
 * new mode is a row to fill in (the compiler lists what is missing), not a hunt through branches.
 */

export const routingModes = ["passthrough", "passthrough-mtls", "originate", "originate-mutual"] as const;
export type RoutingMode = (typeof routingModes)[number];

/** A port named by its role; builders turn it into a number (the service's port, or the gateway's HTTP port). */
export type ModePort = "external" | "gateway-http";

export interface RoutingModeTraits {
  /** TLS the gateway originates to the external server (origination DestinationRule `tls.mode`); "none": the app's own TLS goes out. */
  readonly origination: "none" | "SIMPLE" | "MUTUAL";
  /** The gateway presents a cert-manager client certificate (`tls.credentialName` + `tls.clientCertificate`). */
  readonly clientCertificate: boolean;
  /** TLS the sidecar wraps traffic in on the gateway subset (with `sni: <host>`); "none": the app's TLS as is. */
  readonly subsetTls: "none" | "ISTIO_MUTUAL";
  /** The Gateway server for each host: its TLS mode, port protocol, and the port it listens on. */
  readonly gatewayServer: {
    readonly tls: "PASSTHROUGH" | "ISTIO_MUTUAL";
    readonly protocol: "TLS" | "HTTPS";
    readonly port: ModePort;
  };
  /** The gateway sees the caller's workload identity, so it can authorize per tenant. */
  readonly identityAtGateway: boolean;
  /** How a gateway AuthorizationPolicy names the destination: `connection.sni`, or HTTP `hosts` (TCP drops it). */
  readonly authorizationMatch: "sni" | "http-host";
  /** VirtualService route kinds: from the sidecars (`mesh`) and from the gateway out to the world. */
  readonly routes: { readonly mesh: "tls" | "http"; readonly gateway: "tls" | "tcp" | "http" };
  /** How a break-glass `direct` entry sends the traffic straight out: the app's TLS as is, TLS the sidecar originates, or not at all. */
  readonly directEgress: "app-tls" | "sidecar-originates" | "none";
  /** ServiceEntry ports, in order. */
  readonly serviceEntryPorts: readonly {
    readonly port: ModePort;
    readonly protocol: "HTTP" | "HTTPS" | "TLS";
  }[];
}

/** The traits both origination modes share; originate-mutual differs in the client certificate (and so cannot go direct). */
const ORIGINATE = {
  origination: "SIMPLE",
  clientCertificate: false,
  subsetTls: "ISTIO_MUTUAL",
  gatewayServer: { tls: "ISTIO_MUTUAL", protocol: "HTTPS", port: "gateway-http" },
  identityAtGateway: true,
  authorizationMatch: "http-host",
  routes: { mesh: "http", gateway: "http" },
  directEgress: "sidecar-originates",
  serviceEntryPorts: [
    { port: "gateway-http", protocol: "HTTP" },
    { port: "external", protocol: "HTTPS" },
  ],
} as const satisfies RoutingModeTraits;

export const routingModeTraits = {
  // The app's TLS, routed by SNI; the gateway never sees who sent it.
  passthrough: {
    origination: "none",
    clientCertificate: false,
    subsetTls: "none",
    gatewayServer: { tls: "PASSTHROUGH", protocol: "TLS", port: "external" },
    identityAtGateway: false,
    authorizationMatch: "sni",
    routes: { mesh: "tls", gateway: "tls" },
    directEgress: "app-tls",
    serviceEntryPorts: [{ port: "external", protocol: "TLS" }],
  },
  // The app's TLS inside Istio mTLS: the gateway unwraps it, knows the caller, forwards the inner bytes.
  "passthrough-mtls": {
    origination: "none",
    clientCertificate: false,
    subsetTls: "ISTIO_MUTUAL",
    gatewayServer: { tls: "ISTIO_MUTUAL", protocol: "TLS", port: "external" },
    identityAtGateway: true,
    authorizationMatch: "sni",
    routes: { mesh: "tls", gateway: "tcp" },
    directEgress: "app-tls",
    serviceEntryPorts: [{ port: "external", protocol: "TLS" }],
  },
  // Plain HTTP inside Istio mTLS; the gateway originates TLS and verifies the server.
  originate: ORIGINATE,
  // As originate, and the gateway authenticates itself with a client certificate; that certificate
  // lives in the gateway namespace, so the traffic cannot go around the gateway.
  "originate-mutual": { ...ORIGINATE, origination: "MUTUAL", clientCertificate: true, directEgress: "none" },
} as const satisfies Record<RoutingMode, RoutingModeTraits>;

/** The traits of a service's routing mode. */
export function traitsOf(service: { readonly mode: RoutingMode }): RoutingModeTraits {
  return routingModeTraits[service.mode];
}

/** True for modes where the gateway terminates mesh mTLS and originates TLS itself. */
export function originatesTls(service: { readonly mode: RoutingMode }): boolean {
  return traitsOf(service).origination !== "none";
}

/** The modes that have a trait, e.g. those that originate TLS, for messages that list them. */
export function modesWhere(holds: (traits: RoutingModeTraits) => boolean): RoutingMode[] {
  return routingModes.filter((mode) => holds(routingModeTraits[mode]));
}
