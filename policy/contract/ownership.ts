/**
 * Who owns what in a tenant namespace. Objects carrying the ownership labels (OWNED_LABELS: managed-by
 * pulumi, part-of mesh-egress) are the platform's: only `guardrails.platformIdentities` (and cluster
 * admins) may create, change or delete them; and the namespace labels below are the platform's too.
 */
import { NAMESPACE_INJECTION_LABEL, REVISION_KEY, INJECTION_KEY } from "./istio-proxy";
import { TENANT_LABEL } from "./labels";
import { POD_SECURITY_LABEL_PREFIX } from "./pod-security";

/** The group whose members RBAC lets do anything: admission keeps their rights (they could remove the policy). */
export const CLUSTER_ADMIN_GROUP = "system:masters";

/** Labels of a tenant Namespace only the platform may set, change or remove. */
export const PLATFORM_NAMESPACE_LABELS: readonly string[] = [
  TENANT_LABEL,
  NAMESPACE_INJECTION_LABEL,
  REVISION_KEY,
  INJECTION_KEY,
];
/** Prefixes of tenant Namespace labels only the platform may set, change or remove. */
export const PLATFORM_NAMESPACE_LABEL_PREFIXES: readonly string[] = [POD_SECURITY_LABEL_PREFIX];
