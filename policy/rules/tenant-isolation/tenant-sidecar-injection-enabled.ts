import { knownRevisions, runsRevision } from "../../mesh/istio-revisions";
import { KIND, KubernetesObject, WORKLOAD_KINDS } from "../../contract";
import { declaredNamespaces } from "../../mesh/mesh-queries";
import { MeshTopology } from "../../mesh/mesh-topology";
import { labelsOf } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";

export const tenantSidecarInjectionEnabled: StackRule = {
  name: "tenant-sidecar-injection-enabled",
  description:
    "Tenant namespaces enable sidecar injection (`istio-injection=enabled`, or an `istio.io/rev` label naming a " +
    "revision the platform runs); a " +
    "workload's own opt-out is judged by tenant-pod-istio-knobs-allowed. A pod without a sidecar escapes the " +
    "Sidecar scope, the gateway routing and the gateway's identity-based authorization.",
  severity: "high",
  concern: "tenant-isolation",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: "Label tenant namespaces istio-injection=enabled (or istio.io/rev=<revision>).",
  kinds: [KIND.Namespace, ...WORKLOAD_KINDS],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const out: Violation[] = [];
    const namespaces = declaredNamespaces(objects);
    const revisions = knownRevisions(objects);
    for (const tenant of [...mesh.tenantNamespaces].sort()) {
      const namespace = namespaces.get(tenant);
      if (!namespace) continue;
      const labels = labelsOf(namespace);
      if (labels["istio-injection"] === "disabled") {
        out.push(
          violation(
            namespace,
            "tenant namespace disables sidecar injection (istio-injection=disabled)",
            "label it istio-injection=enabled",
          ),
        );
      } else if (
        labels["istio-injection"] === undefined &&
        "istio.io/rev" in labels &&
        !runsRevision(revisions, labels["istio.io/rev"] ?? "")
      ) {
        out.push(
          violation(
            namespace,
            `tenant namespace names istio.io/rev=${labels["istio.io/rev"]}, a revision the platform does not run (${[...revisions].join(", ")}), so no injector takes its pods`,
            `label it istio.io/rev=${[...revisions][0] ?? "<revision>"}`,
          ),
        );
      } else if (labels["istio-injection"] !== "enabled" && !("istio.io/rev" in labels)) {
        out.push(
          violation(
            namespace,
            "tenant namespace does not enable sidecar injection, so its pods run without sidecars",
            "label it istio-injection=enabled (or istio.io/rev=<revision>)",
          ),
        );
      }
    }
    return out;
  },
};
