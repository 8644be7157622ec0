import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type {
  ClientCertificateConfig,
  EgressConfig,
  ExternalServiceConfig,
  IssuerConfig,
  PrivateKeySpec,
  VaultIssuerConfig,
} from "../stacks/egress-config";
import {
  COMPONENT_LABEL,
  ISSUER_LABEL,
  PART_OF,
  PART_OF_LABEL,
  PULUMI_SECRET_KEYS_ANNOTATION,
  PULUMI_SECRET_SOURCE_ANNOTATION,
  SERVER_ROOTS_KEY,
  serverRootsSecretName,
  SERVICE_LABEL,
} from "../policy/contract";
import { originationCredentialName } from "../stacks/server-trust";
import { KubernetesObject, ownedLabels } from "./kubernetes-object";
import { childName, registerKubernetesObject, upstreamOf } from "./register-manifests";

const CERT_MANAGER_API = "cert-manager.io/v1";
const CERT_MANAGER_GROUP = "cert-manager.io";

/** Client certificates authenticate the gateway to a partner: nothing more. */
export const CLIENT_CERTIFICATE_USAGES: readonly string[] = ["client auth", "digital signature"];

const component = () => ({ [COMPONENT_LABEL]: "origination-certificates" });

/**
 * Where an issuer's own objects live: an Issuer in the gateway namespace, next to the Certificates
 * it signs; a ClusterIssuer's Secrets and ServiceAccount in cert-manager's cluster resource namespace.
 */
export function issuerObjectsNamespace(issuer: IssuerConfig, config: EgressConfig): string {
  return issuer.kind === "Issuer" ? config.gateway.namespace : config.certManager.namespace;
}

/** The ServiceAccount whose token cert-manager presents to Vault. */
export function vaultServiceAccountName(issuer: IssuerConfig): string {
  return issuer.vault?.auth.kubernetes.serviceAccountRef?.name ?? `${issuer.name}-vault`;
}

function issuerLabels(issuer: IssuerConfig): Record<string, string> {
  return ownedLabels({ ...component(), [ISSUER_LABEL]: issuer.name });
}

function issuerMetadata(issuer: IssuerConfig, config: EgressConfig, name: string) {
  return {
    name,
    ...(issuer.kind === "Issuer" ? { namespace: config.gateway.namespace } : {}),
    labels: issuerLabels(issuer),
  };
}

function namespacedMetadata(issuer: IssuerConfig, config: EgressConfig, name: string) {
  return { name, namespace: issuerObjectsNamespace(issuer, config), labels: issuerLabels(issuer) };
}

function issuerRef(name: string, kind: string) {
  return { name, kind, group: CERT_MANAGER_GROUP };
}

/** cert-manager's privateKey block: re-keyed on every renewal, so a leaked key dies with its certificate. */
function privateKeyBlock(key: PrivateKeySpec): Record<string, unknown> {
  return {
    algorithm: key.algorithm,
    ...(key.size !== undefined ? { size: key.size } : {}),
    rotationPolicy: "Always",
  };
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max);
}

export interface IssuerManifests {
  readonly issuer: IssuerConfig;
  /** What the issuer needs before it can sign (its CA Secret, Vault ServiceAccount and RBAC, the self-signed bootstrap), in apply order. */
  readonly prerequisites: KubernetesObject[];
  /** The Issuer or ClusterIssuer that client certificates name. */
  readonly issuerObject: KubernetesObject;
}

/** SelfSigned issuer → CA Certificate (isCA) → CA issuer: a private root cert-manager mints and renews itself. */
function selfSignedBootstrap(issuer: IssuerConfig, config: EgressConfig): IssuerManifests {
  const bootstrap = issuer.selfSigned!;
  const bootstrapName = `${issuer.name}-selfsigned`;
  const caSecret = `${issuer.name}-ca`;
  return {
    issuer,
    prerequisites: [
      {
        apiVersion: CERT_MANAGER_API,
        kind: issuer.kind,
        metadata: issuerMetadata(issuer, config, bootstrapName),
        spec: { selfSigned: {} },
      },
      {
        apiVersion: CERT_MANAGER_API,
        kind: "Certificate",
        metadata: namespacedMetadata(issuer, config, caSecret),
        spec: {
          isCA: true,
          commonName:
            bootstrap.commonName ?? truncate(`${issuer.name} mesh-egress ${config.environment} CA`, 64),
          secretName: caSecret,
          secretTemplate: { labels: secretLabels({ [ISSUER_LABEL]: issuer.name }) },
          duration: bootstrap.duration,
          renewBefore: bootstrap.renewBefore,
          privateKey: privateKeyBlock(bootstrap.privateKey),
          usages: ["cert sign", "crl sign", "digital signature"],
          issuerRef: issuerRef(bootstrapName, issuer.kind),
        },
      },
    ],
    issuerObject: {
      apiVersion: CERT_MANAGER_API,
      kind: issuer.kind,
      metadata: issuerMetadata(issuer, config, issuer.name),
      spec: { ca: { secretName: caSecret } },
    },
  };
}

/**
 * A CA issuer over an existing Secret, or over a Secret this program creates from the certificate
 * in config and the private key from a Pulumi secret. Built here without the key: only `pulumi up`
 * has it decrypted, and the annotations say which Pulumi secret fills which key.
 */
function caIssuer(issuer: IssuerConfig, index: number, config: EgressConfig): IssuerManifests {
  const ca = issuer.ca!;
  const issuerObject = (secretName: string): KubernetesObject => ({
    apiVersion: CERT_MANAGER_API,
    kind: issuer.kind,
    metadata: issuerMetadata(issuer, config, issuer.name),
    spec: { ca: { secretName } },
  });
  if (ca.secretName) return { issuer, prerequisites: [], issuerObject: issuerObject(ca.secretName) };
  const secretName = `${issuer.name}-ca`;
  const metadata = namespacedMetadata(issuer, config, secretName);
  return {
    issuer,
    prerequisites: [
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: {
          ...metadata,
          annotations: {
            [PULUMI_SECRET_KEYS_ANNOTATION]: "tls.key",
            [PULUMI_SECRET_SOURCE_ANNOTATION]: `tls.key=mesh-egress:issuers[${index}].ca.privateKey`,
          },
        },
        type: "kubernetes.io/tls",
        stringData: { "tls.crt": ca.certificate ?? "" },
      },
    ],
    issuerObject: issuerObject(secretName),
  };
}

function vaultSpec(vault: VaultIssuerConfig, serviceAccount: string): Record<string, unknown> {
  const { role, mountPath, serviceAccountRef } = vault.auth.kubernetes;
  return {
    server: vault.server,
    path: vault.path,
    ...(vault.namespace ? { namespace: vault.namespace } : {}),
    ...(vault.caBundle ? { caBundle: Buffer.from(vault.caBundle).toString("base64") } : {}),
    auth: {
      kubernetes: {
        role,
        mountPath,
        serviceAccountRef: {
          name: serviceAccount,
          ...(serviceAccountRef?.audiences ? { audiences: [...serviceAccountRef.audiences] } : {}),
        },
      },
    },
  };
}

/**
 * A Vault issuer authenticated with a bound ServiceAccount token: the account, and the one
 * permission cert-manager needs to request its tokens (create serviceaccounts/token, that name only).
 */
function vaultIssuer(issuer: IssuerConfig, config: EgressConfig): IssuerManifests {
  const vault = issuer.vault!;
  const account = vaultServiceAccountName(issuer);
  const roleName = `${issuer.name}-vault-token-request`;
  return {
    issuer,
    prerequisites: [
      {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: namespacedMetadata(issuer, config, account),
        // Its tokens are requested by cert-manager only; no pod mounts them.
        automountServiceAccountToken: false,
      },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: namespacedMetadata(issuer, config, roleName),
        rules: [
          {
            apiGroups: [""],
            resources: ["serviceaccounts/token"],
            resourceNames: [account],
            verbs: ["create"],
          },
        ],
      },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: namespacedMetadata(issuer, config, roleName),
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: roleName },
        subjects: [
          {
            kind: "ServiceAccount",
            name: config.certManager.serviceAccountName,
            namespace: config.certManager.namespace,
          },
        ],
      },
    ],
    issuerObject: {
      apiVersion: CERT_MANAGER_API,
      kind: issuer.kind,
      metadata: issuerMetadata(issuer, config, issuer.name),
      spec: { vault: vaultSpec(vault, account) },
    },
  };
}

/** Every object one issuer needs, the issuer last. Pure: same config, same objects. */
export function buildIssuerManifests(
  issuer: IssuerConfig,
  index: number,
  config: EgressConfig,
): IssuerManifests {
  if (issuer.selfSigned) return selfSignedBootstrap(issuer, config);
  if (issuer.vault) return vaultIssuer(issuer, config);
  return caIssuer(issuer, index, config);
}

/** Labels cert-manager copies onto the Secrets it writes (it manages them, Pulumi does not). */
function secretLabels(extra: Record<string, string>): Record<string, string> {
  return { [PART_OF_LABEL]: PART_OF, ...extra };
}

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
      labels: ownedLabels({ ...component(), [SERVICE_LABEL]: service.name }),
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
      labels: ownedLabels({ ...component(), [SERVICE_LABEL]: service.name }),
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
      service.mode === "originate-mutual" && service.tls?.clientCertificate
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
export function hasOriginationCertificates(config: EgressConfig): boolean {
  return originationObjectsInApplyOrder(buildOriginationCertificateManifests(config)).length > 0;
}

/**
 * Registers one object. RBAC and ServiceAccounts get their typed resources (so policies see their
 * real types); a Secret built without key material gets it here, from the decrypted Pulumi secret,
 * wrapped so state and logs hold only ciphertext.
 */
function registerOriginationObject(
  name: string,
  object: KubernetesObject,
  issuer: IssuerConfig | undefined,
  opts: pulumi.CustomResourceOptions,
): pulumi.CustomResource {
  const { metadata } = object;
  switch (`${object.apiVersion}/${object.kind}`) {
    case "v1/ServiceAccount":
      return new k8s.core.v1.ServiceAccount(
        name,
        { metadata, automountServiceAccountToken: object.automountServiceAccountToken as boolean },
        opts,
      );
    case "rbac.authorization.k8s.io/v1/Role":
      return new k8s.rbac.v1.Role(
        name,
        { metadata, rules: object.rules as k8s.types.input.rbac.v1.PolicyRule[] },
        opts,
      );
    case "rbac.authorization.k8s.io/v1/RoleBinding":
      return new k8s.rbac.v1.RoleBinding(
        name,
        {
          metadata,
          roleRef: object.roleRef as k8s.types.input.rbac.v1.RoleRef,
          subjects: object.subjects as k8s.types.input.rbac.v1.Subject[],
        },
        opts,
      );
  }
  if (object.kind === "Secret" && metadata.annotations?.[PULUMI_SECRET_KEYS_ANNOTATION]) {
    const key = issuer?.ca?.privateKey;
    if (key?.state !== "decrypted") {
      throw new Error(
        `issuer "${issuer?.name}": its CA private key is not available decrypted; only pulumi up (or preview) can read the Pulumi secret`,
      );
    }
    return new k8s.core.v1.Secret(
      name,
      {
        metadata,
        type: object.type,
        stringData: pulumi.secret({ ...object.stringData, "tls.key": key.value.reveal() }),
      },
      { ...opts, additionalSecretOutputs: ["data", "stringData"] },
    );
  }
  return registerKubernetesObject(name, object, opts);
}

export interface OriginationCertificatesArgs {
  /** The whole validated configuration: issuers, and the services that originate TLS. */
  readonly config: EgressConfig;
}

/**
 * The roots of origination: issuers, the client certificates they sign, and the external servers'
 * roots. Order is explicit: cert-manager (the component's dependsOn) → issuer prerequisites →
 * issuers → certificates; each service's objects are exposed for its ExternalService to wait on.
 */
export class OriginationCertificates extends pulumi.ComponentResource {
  private readonly byService = new Map<string, pulumi.Resource[]>();

  constructor(name: string, args: OriginationCertificatesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-egress:index:OriginationCertificates", name, {}, opts);
    const { config } = args;
    const manifests = buildOriginationCertificateManifests(config);
    const upstream = upstreamOf(opts);

    const issuers = new Map<string, pulumi.Resource>();
    for (const { issuer, prerequisites, issuerObject } of manifests.issuers) {
      let previous: pulumi.Resource[] = [];
      for (const object of prerequisites) {
        // The bootstrap is a chain (self-signed issuer → CA certificate), the RBAC one too.
        previous = [
          registerOriginationObject(childName(name, object), object, issuer, {
            parent: this,
            dependsOn: [...upstream, ...previous],
          }),
        ];
      }
      issuers.set(
        issuer.name,
        registerKubernetesObject(childName(name, issuerObject), issuerObject, {
          parent: this,
          dependsOn: [...upstream, ...previous],
        }),
      );
    }

    for (const { service, clientCertificate: certificate, serverRoots } of manifests.services) {
      const registered: pulumi.Resource[] = [];
      if (certificate) {
        const issuer = issuers.get(service.tls!.clientCertificate!.issuer);
        registered.push(
          registerKubernetesObject(childName(name, certificate), certificate, {
            parent: this,
            dependsOn: [...upstream, ...(issuer ? [issuer] : [])],
          }),
        );
      }
      if (serverRoots) {
        registered.push(
          registerKubernetesObject(childName(name, serverRoots), serverRoots, {
            parent: this,
            dependsOn: upstream,
          }),
        );
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
