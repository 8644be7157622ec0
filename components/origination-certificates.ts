import type { EgressConfig } from "../stacks/model/egress-config";
import { routedServices } from "../stacks/relations/temporary-services";
import { traitsOf } from "../stacks/routing-modes";
import type { KubernetesObject } from "./kubernetes-object";
import { buildIssuerManifests, IssuerManifests } from "./origination-issuers";
import { clientCertificate, serverRootsSecret, ServiceTrustManifests } from "./origination-service-trust";

export interface OriginationCertificateManifests {
  readonly issuers: IssuerManifests[];
  /** Only services that need an object: a client certificate, server roots from a PEM, or both. */
  readonly services: ServiceTrustManifests[];
}

/** Issuers, client certificates and server roots of the whole stack. Pure: same config, same objects. */
export function buildOriginationCertificateManifests(config: EgressConfig): OriginationCertificateManifests {
  const services: ServiceTrustManifests[] = [];
  for (const service of routedServices(config)) {
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
