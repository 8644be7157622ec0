import type { ConfigIssue } from "../model/config-error";
import type { EgressConfig } from "../model/egress-config";

/** Kubernetes' own namespaces: never a tenant, nor a home for the gateway, istiod or an installed cert-manager. */
export const SYSTEM_NAMESPACES: ReadonlySet<string> = new Set([
  "kube-system",
  "kube-public",
  "kube-node-lease",
  "default",
]);

/** One role a namespace plays in the platform, and the config path that gives it. */
interface NamespaceRole {
  readonly path: string;
  readonly role: string;
  readonly namespace: string;
  /** Whether the role may live in a system namespace (CoreDNS does, in kube-system). */
  readonly systemAllowed: boolean;
}

function rolesOf(config: EgressConfig): NamespaceRole[] {
  return [
    {
      path: "gateway.namespace",
      role: "the gateway's namespace",
      namespace: config.gateway.namespace,
      systemAllowed: false,
    },
    {
      path: "controlPlane.namespace",
      role: "the control plane's namespace (istiod)",
      namespace: config.controlPlane.namespace,
      systemAllowed: false,
    },
    {
      path: "certManager.namespace",
      role: "cert-manager's namespace",
      namespace: config.certManager.namespace,
      systemAllowed: !config.certManager.install,
    },
    {
      path: "cluster.dns.namespace",
      role: "the cluster DNS namespace",
      namespace: config.cluster.dns.namespace,
      systemAllowed: true,
    },
    ...config.tenants.map((tenant, i) => ({
      path: `tenants[${i}].namespace`,
      role: `tenant "${tenant.namespace}"`,
      namespace: tenant.namespace,
      systemAllowed: false,
    })),
  ];
}

/**
 * Each namespace plays one role: two roles in one namespace collide (two `Namespace/cert-manager`
 * objects, CoreDNS behind a tenant's registry-only Sidecar, the gateway's policies over istiod), and
 * system namespaces hold no tenant or platform workload. Duplicate tenants are reported elsewhere.
 */
export function namespaceRoleIssues(config: EgressConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const first = new Map<string, NamespaceRole>();
  for (const role of rolesOf(config)) {
    if (SYSTEM_NAMESPACES.has(role.namespace) && !role.systemAllowed) {
      issues.push({
        path: role.path,
        message: `"${role.namespace}" is a system namespace: it cannot be ${role.role.startsWith("tenant") ? "a tenant" : role.role}; use a dedicated namespace`,
      });
      continue;
    }
    const owner = first.get(role.namespace);
    if (!owner) {
      first.set(role.namespace, role);
    } else if (!(owner.path.startsWith("tenants[") && role.path.startsWith("tenants["))) {
      issues.push({
        path: role.path,
        message: `"${role.namespace}" is already ${owner.role} (${owner.path}): one namespace cannot play two roles; choose another namespace`,
      });
    }
  }
  return issues;
}
