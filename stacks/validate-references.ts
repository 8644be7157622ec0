import * as ipaddr from "ipaddr.js";
import type { ConfigIssue } from "./config-error";
import type { EgressConfig } from "./egress-config";
import { isInternalCidr } from "./internal-ranges";

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

    const originates = service.mode === "originate" || service.mode === "originate-mutual";
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
  return issues;
}
