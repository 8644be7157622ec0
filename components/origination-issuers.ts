import type { EgressConfig, IssuerConfig, VaultIssuerConfig } from "../stacks/model/egress-config";
import {
  CERT_MANAGER_API,
  issuerRef,
  originationComponent,
  privateKeyBlock,
  secretLabels,
} from "./cert-manager-fields";
import {
  ISSUER_LABEL,
  PULUMI_SECRET_KEYS_ANNOTATION,
  PULUMI_SECRET_SOURCE_ANNOTATION,
} from "../policy/contract";
import { KubernetesObject, ownedLabels } from "./kubernetes-object";

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
  return ownedLabels({ ...originationComponent(), [ISSUER_LABEL]: issuer.name });
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

/**
 * The decrypted CA key a Secret built without key material needs (undefined for any other object):
 * only `pulumi up` and `preview` can read the Pulumi secret.
 */
export function decryptedCaKey(
  object: KubernetesObject,
  issuer: IssuerConfig,
): Record<string, string> | undefined {
  if (object.kind !== "Secret" || !object.metadata.annotations?.[PULUMI_SECRET_KEYS_ANNOTATION])
    return undefined;
  const key = issuer.ca?.privateKey;
  if (key?.state !== "decrypted") {
    throw new Error(
      `issuer "${issuer.name}": its CA private key is not available decrypted; only pulumi up (or preview) can read the Pulumi secret`,
    );
  }
  return { "tls.key": key.value.reveal() };
}
