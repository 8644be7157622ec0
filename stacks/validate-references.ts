import * as ipaddr from "ipaddr.js";
import type { ConfigIssue } from "./config-error";
import type { EgressConfig, ExternalServiceConfig, IssuerConfig, PrivateKeySpec } from "./egress-config";
import {
  describeDuration,
  goDurationSeconds,
  SERVER_ROOTS_KEYS,
  SERVER_ROOTS_SUFFIX,
  serverRootsSecretName,
} from "../policy/contract";
import { isInternalCidr } from "./internal-ranges";
import { originatesTls } from "./schema";
import { parsePemCertificates, privateKeyMatches, publicKeyStrength } from "./pem-certificates";

type AddIssue = (path: string, message: string) => void;

/** Namespaces that must never be tenants: the mesh and cluster's own. */
const SYSTEM_NAMESPACES = new Set(["kube-system", "kube-public", "kube-node-lease", "default"]);

/**
 * Checks what a schema cannot: references between services and tenants, uniqueness, and settings
 * that only make sense in some routing modes. Returns every issue, not just the first.
 */
export function validateReferences(config: EgressConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });

  const { gateway, controlPlane } = config;
  if (gateway.replicas.min > gateway.replicas.max) {
    add(
      "gateway.replicas",
      `min (${gateway.replicas.min}) exceeds max (${gateway.replicas.max}): raise max or lower min`,
    );
  }
  if (gateway.podDisruptionBudget !== false && gateway.replicas.min < 2) {
    add(
      "gateway.podDisruptionBudget",
      "a disruption budget needs at least 2 replicas (the chart refuses it otherwise): raise gateway.replicas.min or set podDisruptionBudget: false",
    );
  }
  if (gateway.namespace === controlPlane.namespace) {
    add(
      "gateway.namespace",
      `the gateway must not share the control plane's namespace "${controlPlane.namespace}": use a dedicated namespace such as istio-egress`,
    );
  }

  const serviceNames = new Map<string, number>();
  const hostOwners = new Map<string, string>();
  config.services.forEach((service, i) => {
    const at = `services[${i}]`;
    const earlier = serviceNames.get(service.name);
    if (earlier !== undefined) {
      add(
        `${at}.name`,
        `duplicate service name "${service.name}" (also services[${earlier}]): names must be unique`,
      );
    } else {
      serviceNames.set(service.name, i);
    }
    service.hosts.forEach((host, h) => {
      const owner = hostOwners.get(host);
      if (owner !== undefined) {
        add(
          `${at}.hosts[${h}]`,
          `host "${host}" is already declared by service "${owner}": declare each host once`,
        );
      } else {
        hostOwners.set(host, service.name);
      }
    });

    const originates = originatesTls(service);
    if (service.tls && !originates) {
      add(
        `${at}.tls`,
        `TLS settings apply only where the gateway originates TLS (originate, originate-mutual); in ${service.mode} mode the application verifies the server itself: remove tls or change mode`,
      );
    }
    if (service.mode === "originate-mutual" && !service.tls?.credentialName) {
      add(
        `${at}.tls.credentialName`,
        "originate-mutual needs the name of the Secret holding the client certificate in the gateway namespace",
      );
    }
    if (service.mode === "originate" && service.tls?.credentialName) {
      add(
        `${at}.tls.credentialName`,
        "a client credential is only presented in originate-mutual mode: change mode or remove credentialName",
      );
    }
    if (service.tls?.sni && service.hosts.length > 1) {
      add(`${at}.tls.sni`, "an explicit SNI only fits a single-host service: split the service per host");
    }
    if (originates && service.port === 80) {
      add(
        `${at}.port`,
        "port 80 is where the gateway receives plain HTTP from the mesh; the external TLS port is usually 443",
      );
    }
    service.allowedCidrs?.forEach((block, c) => {
      if (ipaddr.parseCIDR(block)[1] === 0) {
        add(`${at}.allowedCidrs[${c}]`, `${block} is the whole internet: omit allowedCidrs instead`);
      } else if (isInternalCidr(block)) {
        add(
          `${at}.allowedCidrs[${c}]`,
          `${block} overlaps private, shared, loopback or link-local space; the gateway may only reach public addresses`,
        );
      }
    });
  });

  const tenantNamespaces = new Map<string, number>();
  config.tenants.forEach((tenant, i) => {
    const at = `tenants[${i}]`;
    const earlier = tenantNamespaces.get(tenant.namespace);
    if (earlier !== undefined) {
      add(
        `${at}.namespace`,
        `duplicate tenant "${tenant.namespace}" (also tenants[${earlier}]): merge their allow lists`,
      );
    } else {
      tenantNamespaces.set(tenant.namespace, i);
    }
    if (tenant.namespace === gateway.namespace) {
      add(
        `${at}.namespace`,
        `"${tenant.namespace}" is the gateway's namespace; a tenant must be a workload namespace`,
      );
    } else if (tenant.namespace === controlPlane.namespace || SYSTEM_NAMESPACES.has(tenant.namespace)) {
      add(`${at}.namespace`, `"${tenant.namespace}" is a system namespace and cannot be a tenant`);
    }
    const seen = new Set<string>();
    tenant.allow.forEach((name, a) => {
      if (!serviceNames.has(name)) {
        const known = [...serviceNames.keys()].join(", ") || "none";
        add(`${at}.allow[${a}]`, `unknown external service "${name}"; declared services: ${known}`);
      } else if (seen.has(name)) {
        add(`${at}.allow[${a}]`, `"${name}" is listed twice`);
      }
      seen.add(name);
    });
  });

  config.gateway.scrapeFromNamespaces.forEach((ns, i) => {
    if (tenantNamespaces.has(ns)) {
      add(`gateway.scrapeFromNamespaces[${i}]`, `"${ns}" is a tenant; metrics scrapers must not be tenants`);
    }
  });

  validateIssuers(config, add);
  validateOriginationTrust(config, add);
  return issues;
}

/** Issuers: one source of roots each, unique names, strong keys, no key material in plain text. */
function validateIssuers(config: EgressConfig, add: AddIssue): void {
  const names = new Map<string, number>();
  config.issuers.forEach((issuer, i) => {
    const at = `issuers[${i}]`;
    const earlier = names.get(issuer.name);
    if (earlier !== undefined) {
      add(
        `${at}.name`,
        `duplicate issuer name "${issuer.name}" (also issuers[${earlier}]): client certificates refer to issuers by name, so names must be unique across Issuers and ClusterIssuers`,
      );
    } else {
      names.set(issuer.name, i);
    }
    const sources = (["ca", "selfSigned", "vault"] as const).filter((source) => issuer[source] !== undefined);
    if (sources.length !== 1) {
      add(
        at,
        `declare exactly one of ca, selfSigned or vault (found ${sources.length === 0 ? "none" : sources.join(" and ")})`,
      );
    }
    if (issuer.ca) validateCaIssuer(issuer, at, add);
    if (issuer.selfSigned) {
      if (config.environment === "prod") {
        add(
          `${at}.selfSigned`,
          "a self-signed bootstrap mints a throwaway root inside the cluster and is for dev only: in prod use ca (an existing Secret or a Pulumi-secret key pair) or vault",
        );
      }
      validatePrivateKey(`${at}.selfSigned.privateKey`, issuer.selfSigned.privateKey, add);
      validateLifetime(`${at}.selfSigned`, issuer.selfSigned.duration, issuer.selfSigned.renewBefore, add);
    }
    if (issuer.vault?.caBundle) {
      const parsed = parsePemCertificates(issuer.vault.caBundle);
      if ("problem" in parsed) add(`${at}.vault.caBundle`, `${parsed.problem}: give Vault's CA as PEM`);
    }
  });
}

function validateCaIssuer(issuer: IssuerConfig, at: string, add: AddIssue): void {
  const ca = issuer.ca ?? {};
  const secretCommand = `cat ca.key | pulumi config set --secret --path 'mesh-egress:${at}.ca.privateKey'`;
  if (ca.privateKey?.state === "plaintext") {
    add(
      `${at}.ca.privateKey`,
      `a private key must never sit in plain text in the stack file: delete it there, treat the key as exposed (rotate it), and store the new one as a Pulumi secret: ${secretCommand}`,
    );
  }
  const inline = ca.certificate !== undefined || ca.privateKey !== undefined;
  if (ca.secretName !== undefined && inline) {
    add(
      `${at}.ca`,
      "give either secretName (an existing Secret with tls.crt and tls.key) or certificate + privateKey, not both",
    );
    return;
  }
  if (ca.secretName === undefined && !inline) {
    add(
      `${at}.ca`,
      "needs secretName (an existing Secret with tls.crt and tls.key) or certificate + privateKey (a Pulumi secret)",
    );
    return;
  }
  if (!inline) return;
  if (ca.certificate === undefined) {
    add(`${at}.ca.certificate`, "the CA certificate (PEM) that goes with privateKey is missing");
    return;
  }
  if (ca.privateKey === undefined) {
    add(`${at}.ca.privateKey`, `the CA's private key is missing: ${secretCommand}`);
  }
  const parsed = parsePemCertificates(ca.certificate);
  if ("problem" in parsed) {
    add(`${at}.ca.certificate`, `${parsed.problem}: give the CA certificate as PEM`);
    return;
  }
  const [certificate] = parsed.certificates;
  if (!certificate.ca) {
    add(
      `${at}.ca.certificate`,
      "is not a CA certificate (basicConstraints CA:TRUE): it cannot sign client certificates",
    );
  }
  const strength = publicKeyStrength(certificate);
  if (strength.algorithm === "RSA" && (strength.size ?? 0) < 2048) {
    add(
      `${at}.ca.certificate`,
      `carries a weak ${strength.size}-bit RSA key: issue a CA with RSA 2048+ or ECDSA P-256+`,
    );
  }
  if (ca.privateKey?.state === "decrypted" && !privateKeyMatches(certificate, ca.privateKey.value.reveal())) {
    add(
      `${at}.ca.privateKey`,
      `does not parse or does not belong to ${at}.ca.certificate: set the matching key`,
    );
  }
}

/** Key strength as cert-manager accepts it, and no weaker than RSA 2048 or ECDSA P-256. */
function validatePrivateKey(at: string, key: PrivateKeySpec, add: AddIssue): void {
  switch (key.algorithm) {
    case "RSA":
      if ((key.size ?? 0) < 2048) {
        add(
          `${at}.size`,
          `weak key: RSA ${key.size} bits is below 2048; use ECDSA (P-256, the default) or RSA 2048+`,
        );
      } else if (![2048, 4096, 8192].includes(key.size ?? 0)) {
        add(`${at}.size`, `cert-manager accepts RSA sizes 2048, 4096 or 8192, not ${key.size}`);
      }
      break;
    case "ECDSA":
      if (![256, 384, 521].includes(key.size ?? 0)) {
        add(`${at}.size`, `ECDSA keys are P-256, P-384 or P-521: size 256, 384 or 521, not ${key.size}`);
      }
      break;
    case "Ed25519":
      if (key.size !== undefined) add(`${at}.size`, "Ed25519 keys have a fixed size: remove size");
      break;
  }
}

/** cert-manager's limits: at least 1h of life, renewal at least 5m before expiry and before it starts. */
function validateLifetime(at: string, duration: string, renewBefore: string, add: AddIssue): void {
  const life = goDurationSeconds(duration);
  const lead = goDurationSeconds(renewBefore);
  if (life < 3600) add(`${at}.duration`, `${duration} is below cert-manager's minimum of 1h`);
  if (lead < 300) add(`${at}.renewBefore`, `${renewBefore} is below cert-manager's minimum of 5m`);
  if (lead >= life) {
    add(
      `${at}.renewBefore`,
      `renewBefore ${describeDuration(renewBefore)} must be shorter than duration ${describeDuration(duration)}, or the certificate is due for renewal as soon as it is issued: e.g. duration 2160h with renewBefore 360h`,
    );
  }
}

/** Client certificates and server roots of the origination modes. */
function validateOriginationTrust(config: EgressConfig, add: AddIssue): void {
  const issuers = new Set(config.issuers.map((issuer) => issuer.name));
  const credentials = new Map<string, string>();
  config.services.forEach((service, i) => {
    const at = `services[${i}].tls`;
    const tls = service.tls;
    const mutual = service.mode === "originate-mutual";
    if (tls?.credentialName && mutual) {
      const owner = credentials.get(tls.credentialName);
      if (owner !== undefined) {
        add(
          `${at}.credentialName`,
          `"${tls.credentialName}" is already the client credential of service "${owner}": give each service its own Secret`,
        );
      }
      credentials.set(tls.credentialName, service.name);
    }
    if (mutual && !tls?.clientCertificate) {
      add(
        `${at}.clientCertificate`,
        "originate-mutual needs a client certificate: add tls.clientCertificate with the issuer that signs it (an entry of mesh-egress:issuers)",
      );
    }
    if (mutual && !tls?.caBundle) {
      add(
        `${at}.caBundle`,
        `originate-mutual needs the external server's CA bundle (pem, or a secretRef): with a client credential istiod verifies the server only against "${serverRootsSecretName(tls?.credentialName ?? "<credentialName>")}", and would otherwise fall back to the client certificate's ca.crt, which is the client issuer's CA, not the server's`,
      );
    }
    if (tls?.clientCertificate && !mutual) {
      add(
        `${at}.clientCertificate`,
        `a client certificate is only presented in originate-mutual mode, not ${service.mode}: change mode or remove clientCertificate`,
      );
    }
    if (tls?.clientCertificate) validateClientCertificate(service, `${at}.clientCertificate`, issuers, add);
    if (tls?.caBundle) validateServerRoots(service, `${at}.caBundle`, add);
  });
}

function validateClientCertificate(
  service: ExternalServiceConfig,
  at: string,
  issuers: ReadonlySet<string>,
  add: AddIssue,
): void {
  const certificate = service.tls?.clientCertificate;
  if (!certificate) return;
  if (!issuers.has(certificate.issuer)) {
    const known = [...issuers].join(", ") || "none";
    add(
      `${at}.issuer`,
      `unknown issuer "${certificate.issuer}"; declared issuers: ${known} (declare it under mesh-egress:issuers)`,
    );
  }
  if (!certificate.commonName && !certificate.dnsNames && !certificate.uris) {
    add(at, "names no identity: set commonName, dnsNames or uris (what the partner's server authorizes)");
  }
  validatePrivateKey(`${at}.privateKey`, certificate.privateKey, add);
  validateLifetime(at, certificate.duration, certificate.renewBefore, add);
}

/** How each kind of bundle reaches the Secret istiod reads, `<credentialName>-cacert`. */
function validateServerRoots(service: ExternalServiceConfig, at: string, add: AddIssue): void {
  const bundle = service.tls?.caBundle;
  if (!bundle) return;
  if ("pem" in bundle) {
    const parsed = parsePemCertificates(bundle.pem);
    if ("problem" in parsed) add(`${at}.pem`, `${parsed.problem}: give the server's CA certificates as PEM`);
  } else if ("configMapRef" in bundle) {
    add(
      `${at}.configMapRef`,
      `istiod reads origination roots only from Secrets in the gateway namespace: give the bundle as pem, or as a secretRef to a Secret named "${expectedRootsSecret(service)}"`,
    );
  } else {
    const { name, key } = bundle.secretRef;
    const credential = service.tls?.credentialName;
    if (service.mode === "originate-mutual" && credential && name !== serverRootsSecretName(credential)) {
      add(
        `${at}.secretRef.name`,
        `must be "${serverRootsSecretName(credential)}": istiod reads the server roots of credential "${credential}" only from that Secret, in the gateway namespace; create or sync the Secret under that name, or give the PEM inline`,
      );
    } else if (service.mode === "originate" && !name.endsWith(SERVER_ROOTS_SUFFIX)) {
      add(
        `${at}.secretRef.name`,
        `must end in "${SERVER_ROOTS_SUFFIX}" (e.g. "${service.name}-server${SERVER_ROOTS_SUFFIX}"): istiod finds roots-only Secrets by that suffix; the Secret must be in the gateway namespace`,
      );
    }
    if (!SERVER_ROOTS_KEYS.includes(key)) {
      add(
        `${at}.secretRef.key`,
        `istiod reads server roots from key ${SERVER_ROOTS_KEYS.join(" or ")}, not "${key}"`,
      );
    }
  }
}

function expectedRootsSecret(service: ExternalServiceConfig): string {
  return service.mode === "originate-mutual" && service.tls?.credentialName
    ? serverRootsSecretName(service.tls.credentialName)
    : `${service.name}-server${SERVER_ROOTS_SUFFIX}`;
}
