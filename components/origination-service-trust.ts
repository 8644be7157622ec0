import type {
  ClientCertificateConfig,
  EgressConfig,
  ExternalServiceConfig,
} from "../stacks/model/egress-config";
import { SERVER_ROOTS_KEY, serverRootsSecretName, SERVICE_LABEL } from "../policy/contract";
import { originationCredentialName } from "../stacks/model/server-trust";
import {
  CERT_MANAGER_API,
  issuerRef,
  originationComponent,
  privateKeyBlock,
  secretLabels,
} from "./cert-manager-fields";
import { KubernetesObject, ownedLabels } from "./kubernetes-object";

/** Client certificates authenticate the gateway to a partner: nothing more. */
export const CLIENT_CERTIFICATE_USAGES: readonly string[] = ["client auth", "digital signature"];

function subjectBlock(certificate: ClientCertificateConfig): Record<string, unknown> {
  const subject = certificate.subject;
  if (!subject) return {};
  const copy = Object.fromEntries(
    Object.entries(subject).map(([key, value]) => [key, Array.isArray(value) ? [...value] : value]),
  );
  return { subject: copy };
}

/**
 * The client certificate of an originate-mutual service: issued into the Secret the origination
 * DestinationRule names as credentialName, in the gateway namespace, for client authentication only.
 */
export function clientCertificate(service: ExternalServiceConfig, config: EgressConfig): KubernetesObject {
  const certificate = service.tls!.clientCertificate!;
  const credentialName = service.tls!.credentialName!;
  const issuer = config.issuers.find((candidate) => candidate.name === certificate.issuer);
  return {
    apiVersion: CERT_MANAGER_API,
    kind: "Certificate",
    metadata: {
      name: credentialName,
      namespace: config.gateway.namespace,
      labels: ownedLabels({ ...originationComponent(), [SERVICE_LABEL]: service.name }),
    },
    spec: {
      secretName: credentialName,
      secretTemplate: { labels: secretLabels({ [SERVICE_LABEL]: service.name }) },
      ...(certificate.commonName ? { commonName: certificate.commonName } : {}),
      ...(certificate.dnsNames ? { dnsNames: [...certificate.dnsNames] } : {}),
      ...(certificate.uris ? { uris: [...certificate.uris] } : {}),
      ...subjectBlock(certificate),
      duration: certificate.duration,
      renewBefore: certificate.renewBefore,
      privateKey: privateKeyBlock(certificate.privateKey),
      usages: [...CLIENT_CERTIFICATE_USAGES],
      issuerRef: issuerRef(certificate.issuer, issuer?.kind ?? "Issuer"),
      // Old CertificateRequests are kept for diagnosis, not forever.
      revisionHistoryLimit: 3,
    },
  };
}

/**
 * The external server's roots where istiod reads them: `<credentialName>-cacert`, key `cacert`, in
 * the gateway namespace. Only for a PEM in config; a secretRef names a Secret that already exists.
 */
export function serverRootsSecret(
  service: ExternalServiceConfig,
  config: EgressConfig,
): KubernetesObject | undefined {
  const bundle = service.tls?.caBundle;
  const credentialName = originationCredentialName(service);
  if (!bundle || !("pem" in bundle) || !credentialName) return undefined;
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: serverRootsSecretName(credentialName),
      namespace: config.gateway.namespace,
      labels: ownedLabels({ ...originationComponent(), [SERVICE_LABEL]: service.name }),
    },
    type: "Opaque",
    stringData: { [SERVER_ROOTS_KEY]: bundle.pem },
  };
}

export interface ServiceTrustManifests {
  readonly service: ExternalServiceConfig;
  readonly clientCertificate?: KubernetesObject;
  readonly serverRoots?: KubernetesObject;
}
