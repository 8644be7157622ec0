import type { EnvtestApiServer } from "./api-server";

/**
 * Schema-less stand-ins for CRDs the upstream set lacks (Gateway API, Cilium, Calico): enough for the API server
 * to serve the kinds, so admission sees their requests. Made up here, not copied: they validate nothing.
 */
const STAND_INS: readonly { group: string; kind: string; plural: string; versions: readonly string[] }[] = [
  { group: "gateway.networking.k8s.io", kind: "Gateway", plural: "gateways", versions: ["v1", "v1beta1"] },
  {
    group: "gateway.networking.k8s.io",
    kind: "HTTPRoute",
    plural: "httproutes",
    versions: ["v1", "v1beta1"],
  },
  { group: "gateway.networking.k8s.io", kind: "GRPCRoute", plural: "grpcroutes", versions: ["v1"] },
  { group: "gateway.networking.k8s.io", kind: "TLSRoute", plural: "tlsroutes", versions: ["v1alpha2"] },
  { group: "gateway.networking.k8s.io", kind: "TCPRoute", plural: "tcproutes", versions: ["v1alpha2"] },
  { group: "cilium.io", kind: "CiliumNetworkPolicy", plural: "ciliumnetworkpolicies", versions: ["v2"] },
  { group: "crd.projectcalico.org", kind: "NetworkPolicy", plural: "networkpolicies", versions: ["v1"] },
];

function crd(s: (typeof STAND_INS)[number]) {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: {
      name: `${s.plural}.${s.group}`,
      labels: { "mesh-egress.io/envtest-stand-in": "true" },
      // *.k8s.io groups are protected: the API server wants this annotation, and "unapproved…" is its honest value.
      annotations: { "api-approved.kubernetes.io": "unapproved, envtest stand-in" },
    },
    spec: {
      group: s.group,
      names: { kind: s.kind, plural: s.plural, singular: s.kind.toLowerCase(), listKind: `${s.kind}List` },
      scope: "Namespaced",
      versions: s.versions.map((name, i) => ({
        name,
        served: true,
        storage: i === 0,
        schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
      })),
    },
  };
}

/** Every stand-in kind as `apiVersion`s and kind, for tables that try each served version. */
export const STAND_IN_KINDS = STAND_INS.map((s) => ({
  kind: s.kind,
  apiVersions: s.versions.map((v) => `${s.group}/${v}`),
}));

export async function installStandInCrds(server: EnvtestApiServer): Promise<void> {
  await server.kubectlOrThrow(
    ["apply", "--server-side", "--field-manager=envtest", "-f", "-"],
    JSON.stringify({ apiVersion: "v1", kind: "List", items: STAND_INS.map(crd) }),
  );
  await server.kubectlOrThrow([
    "wait",
    "--for=condition=Established",
    "crd",
    "-l",
    "mesh-egress.io/envtest-stand-in=true",
    "--timeout=60s",
  ]);
}

export async function removeStandInCrds(server: EnvtestApiServer): Promise<void> {
  await server.kubectlOrThrow([
    "delete",
    "crd",
    "-l",
    "mesh-egress.io/envtest-stand-in=true",
    "--wait=false",
  ]);
}
