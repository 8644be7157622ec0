import * as pulumi from "@pulumi/pulumi";
import type { EgressConfig } from "../stacks/egress-config";
import { traitsOf } from "../stacks/routing-modes";
import type { KubernetesObject } from "./kubernetes-object";
import { buildIssuerManifests, decryptedCaKey, IssuerManifests } from "./origination-issuers";
import { clientCertificate, serverRootsSecret, ServiceTrustManifests } from "./origination-service-trust";
import { childName, registerKubernetesObject, upstreamOf } from "./register-manifests";

export interface OriginationCertificateManifests {
  readonly issuers: IssuerManifests[];
  /** Only services that need an object: a client certificate, server roots from a PEM, or both. */
  readonly services: ServiceTrustManifests[];
}

/** Issuers, client certificates and server roots of the whole stack. Pure: same config, same objects. */
export function buildOriginationCertificateManifests(config: EgressConfig): OriginationCertificateManifests {
  const services: ServiceTrustManifests[] = [];
  for (const service of config.services) {
    const certificate =
      traitsOf(service).clientCertificate && service.tls?.clientCertificate
        ? clientCertificate(service, config)
        : undefined;
    const roots = serverRootsSecret(service, config);
    if (certificate || roots) services.push({ service, clientCertificate: certificate, serverRoots: roots });
  }
  return {
    issuers: config.issuers.map((issuer, index) => buildIssuerManifests(issuer, index, config)),
    services,
  };
}

/** The same objects flattened in apply order: issuers' prerequisites, issuers, then per-service objects. */
export function originationObjectsInApplyOrder(
  manifests: OriginationCertificateManifests,
): KubernetesObject[] {
  return [
    ...manifests.issuers.flatMap((m) => [...m.prerequisites, m.issuerObject]),
    ...manifests.services.flatMap((s) => [s.clientCertificate, s.serverRoots].filter(isObject)),
  ];
}

function isObject(object: KubernetesObject | undefined): object is KubernetesObject {
  return object !== undefined;
}

/** True when the stack declares anything this component would register. */
export function hasOriginationCertificates(manifests: OriginationCertificateManifests): boolean {
  return originationObjectsInApplyOrder(manifests).length > 0;
}

export interface OriginationCertificatesArgs {
  /** What `buildOriginationCertificateManifests` built: issuers and each service's trust objects. */
  readonly manifests: OriginationCertificateManifests;
  /** Resources every object waits for: the gateway namespace and cert-manager (its CRDs). Default: none. */
  readonly after?: readonly pulumi.Resource[];
}

/**
 * The roots of origination: issuers, the client certificates they sign, and the external servers'
 * roots. Order is explicit: `after` (cert-manager, the gateway namespace) → issuer prerequisites →
 * issuers → certificates; each service's objects are exposed for its ExternalService to wait on.
 */
export class OriginationCertificates extends pulumi.ComponentResource {
  private readonly byService = new Map<string, pulumi.Resource[]>();

  constructor(name: string, args: OriginationCertificatesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-egress:index:OriginationCertificates", name, {}, opts);
    const upstream = [...upstreamOf(opts), ...(args.after ?? [])];
    const register = (
      object: KubernetesObject,
      dependsOn: pulumi.Input<pulumi.Resource>[],
      secret?: Record<string, string>,
    ) => registerKubernetesObject(childName(name, object), object, { parent: this, dependsOn }, secret);

    const issuers = new Map<string, pulumi.Resource>();
    for (const { issuer, prerequisites, issuerObject } of args.manifests.issuers) {
      let previous: pulumi.Resource[] = [];
      for (const object of prerequisites) {
        // The bootstrap is a chain (self-signed issuer → CA certificate), the RBAC one too.
        previous = [register(object, [...upstream, ...previous], decryptedCaKey(object, issuer))];
      }
      issuers.set(issuer.name, register(issuerObject, [...upstream, ...previous]));
    }

    for (const { service, clientCertificate: certificate, serverRoots } of args.manifests.services) {
      const registered: pulumi.Resource[] = [];
      if (certificate) {
        const issuer = issuers.get(service.tls!.clientCertificate!.issuer);
        registered.push(register(certificate, [...upstream, ...(issuer ? [issuer] : [])]));
      }
      if (serverRoots) {
        registered.push(register(serverRoots, upstream));
      }
      this.byService.set(service.name, registered);
    }
    this.registerOutputs({});
  }

  /** What a service's origination rule needs to exist first: its client certificate and server roots. */
  dependenciesOf(serviceName: string): pulumi.Resource[] {
    return [...(this.byService.get(serviceName) ?? [])];
  }
}
