import type { ConfigIssue } from "../model/config-error";
import type { EgressConfig, IssuerConfig, ResourceList } from "../model/egress-config";
import { MIN_GATEWAY_REPLICAS } from "../../policy/contract";
import { quantityValue } from "../schema/values/quantity";
import { namespaceRoleIssues } from "./namespace-roles";
import { parseCidr } from "../../policy/mesh/address-ranges";
import { hostCidr } from "../schema/values/pinned-addresses";
import { inClusterHostProblem } from "./in-cluster-hosts";
import { BREAK_GLASS_NAME_PREFIX } from "../model/break-glass";
import { traitsOf } from "../routing-modes";
import {
  parsePemCertificates,
  privateKeyMatches,
  publicKeyStrength,
} from "../schema/values/pem-certificates";
import { validateTierRequirements } from "./tier-requirements";

type AddIssue = (path: string, message: string) => void;

/**
 * Checks what a schema cannot: references between services, tenants and issuers, uniqueness, and
 * values resolved from the tier baseline. Returns every issue, not just the first.
 */
export function validateReferences(config: EgressConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });

  const { gateway } = config;
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
  if (config.environment === "prod") checkProdAvailability(config, add);
  issues.push(...namespaceRoleIssues(config));
  checkRequestsWithinLimits("gateway.resources", gateway.resources, add);
  for (const part of ["controller", "webhook", "cainjector"] as const) {
    checkRequestsWithinLimits(`certManager.${part}.resources`, config.certManager[part].resources, add);
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
    if (service.name.startsWith(BREAK_GLASS_NAME_PREFIX)) {
      add(
        `${at}.name`,
        `"${service.name}" starts with "${BREAK_GLASS_NAME_PREFIX}", which names the objects break-glass entries add (break-glass-<id>, break-glass-<id>-<service>): choose another name`,
      );
    }
    service.hosts.forEach((host, h) => {
      const inCluster = inClusterHostProblem(host, config.cluster.domain);
      if (inCluster) add(`${at}.hosts[${h}]`, inCluster);
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

  config.cluster.openEgressNamespaces.forEach((ns, i) => {
    if (tenantNamespaces.has(ns)) {
      add(
        `cluster.openEgressNamespaces[${i}]`,
        `"${ns}" is a tenant, whose egress is locked to the gateway: remove it from openEgressNamespaces, or stop declaring it a tenant`,
      );
    }
  });

  validateEgressLock(config, tenantNamespaces, add);
  validatePinnedAddresses(config, add);

  config.gateway.scrapeFromNamespaces.forEach((ns, i) => {
    if (tenantNamespaces.has(ns)) {
      add(`gateway.scrapeFromNamespaces[${i}]`, `"${ns}" is a tenant; metrics scrapers must not be tenants`);
    }
  });

  validateTierRequirements(config, add);
  validateIssuers(config, add);
  validateOriginationTrust(config, add);
  return issues;
}

/** What the pack enforces as mandatory in prod, refused here so a prod stack that renders also lints clean. */
function checkProdAvailability({ gateway }: EgressConfig, add: AddIssue): void {
  // The pack's floor, refused here so that a prod stack that renders also lints clean.
  if (gateway.replicas.min < MIN_GATEWAY_REPLICAS) {
    add(
      "gateway.replicas.min",
      `prod runs at least ${MIN_GATEWAY_REPLICAS} gateway replicas (the policy pack's gateway-ha-min-replicas): one zone or node loss must not cut all egress; raise min`,
    );
  } else if (gateway.podDisruptionBudget === false) {
    add(
      "gateway.podDisruptionBudget",
      "prod keeps a disruption budget on the gateway (the policy pack's gateway-ha-disruption-budget): remove podDisruptionBudget: false",
    );
  }
  if (gateway.spread.zone === "off") {
    add(
      "gateway.spread.zone",
      "prod spreads the gateway across zones (the policy pack's gateway-ha-zone-spread): use DoNotSchedule or ScheduleAnyway",
    );
  }
}

/** Kubernetes refuses a pod whose request exceeds its limit; checked after the baseline fills either side. */
function checkRequestsWithinLimits(
  at: string,
  resources: { readonly requests: ResourceList; readonly limits: ResourceList },
  add: AddIssue,
): void {
  for (const resource of ["cpu", "memory"] as const) {
    const request = resources.requests[resource];
    const limit = resources.limits[resource];
    if (request !== undefined && limit !== undefined && quantityValue(request) > quantityValue(limit)) {
      add(
        `${at}.requests.${resource}`,
        `request ${request} exceeds limit ${limit} (limits.${resource}, perhaps from the tier baseline): Kubernetes refuses the pod; lower the request or raise the limit`,
      );
    }
  }
}

/** Exemptions from the cluster-wide lock: never a tenant, and only where they change something. */
function validateEgressLock(
  config: EgressConfig,
  tenantNamespaces: ReadonlyMap<string, number>,
  add: AddIssue,
): void {
  const seen = new Set<string>();
  config.cluster.lockAllNamespaces.exempt.forEach((ns, i) => {
    const at = `cluster.lockAllNamespaces.exempt[${i}]`;
    if (tenantNamespaces.has(ns)) {
      add(
        at,
        `"${ns}" is a tenant, whose egress goes through the gateway only: a tenant cannot be exempt from the cluster-wide lock`,
      );
    } else if (ns === config.gateway.namespace) {
      add(at, `"${ns}" is the gateway's namespace, which the lock always exempts: remove it`);
    } else if (seen.has(ns)) {
      add(at, `"${ns}" is listed twice`);
    }
    seen.add(ns);
  });
}

/** A pinned address inside the cluster's own ranges would let a narrowed gateway port reach the cluster. */
function validatePinnedAddresses(config: EgressConfig, add: AddIssue): void {
  const own = config.cluster.internalCidrs.map((block) => ({ block, range: parseCidr(block) }));
  config.services.forEach((service, i) => {
    service.pinnedAddresses?.forEach((address, a) => {
      const range = parseCidr(hostCidr(address));
      const inside = own.find(
        (o) =>
          o.range &&
          range &&
          o.range.family === range.family &&
          o.range.start <= range.start &&
          range.end <= o.range.end,
      );
      if (inside) {
        add(
          `services[${i}].pinnedAddresses[${a}]`,
          `${address} is inside cluster.internalCidrs ${inside.block}, the cluster's own addresses: the gateway may only reach public addresses outside the cluster`,
        );
      }
    });
  });
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
    if (issuer.ca) validateCaIssuer(issuer, at, add);
    if (issuer.selfSigned && config.environment === "prod") {
      add(
        `${at}.selfSigned`,
        "a self-signed bootstrap mints a throwaway root inside the cluster and is for dev only: in prod use ca (an existing Secret or a Pulumi-secret key pair) or vault",
      );
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

/** Client certificates across services: each its own Secret, each from a declared issuer. */
function validateOriginationTrust(config: EgressConfig, add: AddIssue): void {
  const issuers = new Set(config.issuers.map((issuer) => issuer.name));
  const credentials = new Map<string, string>();
  config.services.forEach((service, i) => {
    const at = `services[${i}].tls`;
    const tls = service.tls;
    if (!traitsOf(service).clientCertificate || !tls) return;
    if (tls.credentialName) {
      const owner = credentials.get(tls.credentialName);
      if (owner !== undefined) {
        add(
          `${at}.credentialName`,
          `"${tls.credentialName}" is already the client credential of service "${owner}": give each service its own Secret`,
        );
      }
      credentials.set(tls.credentialName, service.name);
    }
    const certificate = tls.clientCertificate;
    if (certificate && !issuers.has(certificate.issuer)) {
      const known = [...issuers].join(", ") || "none";
      add(
        `${at}.clientCertificate.issuer`,
        `unknown issuer "${certificate.issuer}"; declared issuers: ${known} (declare it under mesh-egress:issuers)`,
      );
    }
  });
}
