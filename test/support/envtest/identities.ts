import type { EnvtestApiServer } from "./api-server";
import type { KubectlResult } from "./kubectl";

/** The tenant as an attacker: a user with the `admin` ClusterRole bound in its own namespace, nothing more. */
export const TENANT_USER = "payments-admin";
/** A deploying identity (CI's service account) with cluster-admin rights by RBAC, not by system:masters. */
export const PLATFORM_USER = "system:serviceaccount:platform:pulumi-deployer";

const AGGREGATE_TO_ADMIN = "rbac.authorization.k8s.io/aggregate-to-admin";

/** API groups a tenant's admin may write in real clusters that grant them (Istio's, Gateway API, CNI policies). */
const MESH_GROUPS = [
  "networking.istio.io",
  "security.istio.io",
  "telemetry.istio.io",
  "gateway.networking.k8s.io",
  "cilium.io",
  "crd.projectcalico.org",
];

/**
 * Gives `user` the `admin` ClusterRole in `namespace`, as a cluster would: the mesh kinds aggregated into admin,
 * and Endpoints/EndpointSlices and ephemeral containers writable (admin lost Endpoints in 1.22; clusters that grant
 * them back, or `kubectl debug`, are the cases the guardrails cover). No controller-manager runs here, so the aggregation controller's union is done by hand.
 */
export async function grantTenantAdmin(
  server: EnvtestApiServer,
  namespace: string,
  user: string,
): Promise<void> {
  const objects = [
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "envtest-mesh-objects-admin", labels: { [AGGREGATE_TO_ADMIN]: "true" } },
      rules: [{ apiGroups: MESH_GROUPS, resources: ["*"], verbs: ["*"] }],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: "envtest-endpoints-writer", namespace },
      rules: [
        { apiGroups: [""], resources: ["endpoints"], verbs: ["*"] },
        { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["*"] },
        // kubectl debug: clusters grant it to tenants who debug their pods.
        { apiGroups: [""], resources: ["pods/ephemeralcontainers"], verbs: ["get", "patch", "update"] },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "tenant-admin", namespace },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "admin" },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: user }],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "tenant-endpoints", namespace },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "envtest-endpoints-writer" },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: user }],
    },
  ];
  await server.kubectlOrThrow(
    ["apply", "--server-side", "--field-manager=envtest", "-f", "-"],
    JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }),
  );
  // admin aggregates edit, which aggregates view: their component roles carry one of these labels each.
  const rules: unknown[] = [];
  for (const level of ["admin", "edit", "view"]) {
    const roles = JSON.parse(
      await server.kubectlOrThrow([
        "get",
        "clusterroles",
        "-l",
        `rbac.authorization.k8s.io/aggregate-to-${level}=true`,
        "-o",
        "json",
      ]),
    ) as { items: { rules?: unknown[] }[] };
    rules.push(...roles.items.flatMap((r) => r.rules ?? []));
  }
  await server.kubectlOrThrow([
    "patch",
    "clusterrole",
    "admin",
    "--type=merge",
    "-p",
    JSON.stringify({ rules }),
  ]);
}

/** Binds cluster-admin to `user` through RBAC alone: rights to everything, yet not a member of system:masters. */
export async function grantPlatformAdmin(server: EnvtestApiServer, user: string): Promise<void> {
  await server.kubectlOrThrow(
    ["apply", "--server-side", "--field-manager=envtest", "-f", "-"],
    JSON.stringify({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "envtest-platform-deployer" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: user }],
    }),
  );
}

/** kubectl as `user` by impersonation (the suite's own certificate may impersonate). */
export function kubectlAs(
  server: EnvtestApiServer,
  user: string,
  args: readonly string[],
  input?: string,
): Promise<KubectlResult> {
  return server.kubectl([`--as=${user}`, ...args], input);
}
