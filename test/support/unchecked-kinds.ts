import type { ConformanceOutcome } from "./conformance-outcome";
import { API_SERVER_SUITE, apiServerUnavailableReason } from "./envtest/availability";
import { ObjectMetaExpectations } from "./object-metadata";

/**
 * Kinds mesh-egress may render whose schemas are not in the upstream schema set: Kubernetes built-ins
 * (their OpenAPI lives in the API server, not in a CRD). Only their metadata is checked here; they are
 * left to the real API server when one runs here, else reported as skipped, never as validated. Flux's
 * kinds are not here: their CRDs are in the set and validate them.
 */
export interface UncheckedKind extends ObjectMetaExpectations {
  readonly apiVersion: string;
  readonly kind: string;
  readonly reason: string;
}

const BUILT_IN =
  "built-in Kubernetes kind: no OpenAPI schema in the upstream schema set; metadata checked only";

const UNCHECKED_KINDS: readonly UncheckedKind[] = [
  { apiVersion: "v1", kind: "Namespace", namespaced: false, nameRule: "dns1123-label", reason: BUILT_IN },
  { apiVersion: "v1", kind: "Service", namespaced: true, nameRule: "dns1035-label", reason: BUILT_IN },
  ...["Secret", "ConfigMap", "ServiceAccount"].map((kind) => namespaced("v1", kind, BUILT_IN)),
  namespaced("networking.k8s.io/v1", "NetworkPolicy", BUILT_IN),
  namespaced("policy/v1", "PodDisruptionBudget", BUILT_IN),
  namespaced("apps/v1", "Deployment", BUILT_IN),
  namespaced("autoscaling/v2", "HorizontalPodAutoscaler", BUILT_IN),
  // RBAC names are path segments, not DNS names (system:controller:... is valid).
  ...["Role", "RoleBinding"].map((kind) => ({
    ...namespaced("rbac.authorization.k8s.io/v1", kind, BUILT_IN),
    nameRule: "path-segment" as const,
  })),
  ...["ClusterRole", "ClusterRoleBinding"].map((kind) => ({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind,
    namespaced: false,
    nameRule: "path-segment" as const,
    reason: BUILT_IN,
  })),
  ...["ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"].map((kind) => ({
    apiVersion: "admissionregistration.k8s.io/v1",
    kind,
    namespaced: false,
    nameRule: "dns1123-subdomain" as const,
    reason: BUILT_IN,
  })),
];

function namespaced(apiVersion: string, kind: string, reason: string): UncheckedKind {
  return { apiVersion, kind, namespaced: true, nameRule: "dns1123-subdomain", reason };
}

/** Built-in kinds go to the API server suite when it can run here; everything else is skipped with its reason. */
export function uncheckedOutcome(subject: string, unchecked: UncheckedKind): ConformanceOutcome {
  if (unchecked.reason === BUILT_IN && apiServerUnavailableReason() === undefined) {
    return { status: "delegated", subject, to: API_SERVER_SUITE };
  }
  return { status: "skipped", subject, reason: unchecked.reason };
}

/** The unchecked kind with exactly this apiVersion and kind, if any (a wrong apiVersion is not one). */
export function findUncheckedKind(apiVersion: string, kind: string): UncheckedKind | undefined {
  return UNCHECKED_KINDS.find((entry) => entry.apiVersion === apiVersion && entry.kind === kind);
}
