import { KIND, KubernetesObject, WORKLOAD_KINDS } from "../../contract";
import { parseCidr, reachesPublicAddresses } from "../../mesh/address-ranges";
import { podTemplate } from "../../mesh/mesh-object-readers";
import { MeshTopology } from "../../mesh/mesh-topology";
import { annotationsOf, namespaceOf, ofKind, stringMap } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";
import { judgedTenants } from "../../mesh/tenant-scope";

/** Tenant isolation, interception: annotations that let a pod's traffic skip its sidecar. */

const INCLUDE_RANGES = "traffic.sidecar.istio.io/includeOutboundIPRanges";
const EXCLUDE_RANGES = "traffic.sidecar.istio.io/excludeOutboundIPRanges";
const EXCLUDE_PORTS = "traffic.sidecar.istio.io/excludeOutboundPorts";

const ranges = (value: string): string[] =>
  value
    .split(",")
    .map((r) => r.trim())
    .filter((r) => r !== "");

/** What in these annotations lets outbound traffic to the internet skip the sidecar, as phrases. */
function interceptionGaps(annotations: Readonly<Record<string, string>>): string[] {
  const gaps: string[] = [];
  const include = annotations[INCLUDE_RANGES];
  if (include !== undefined && !ranges(include).includes("*")) {
    gaps.push(
      `${INCLUDE_RANGES}: "${include}" intercepts only those ranges, so traffic to every other address skips the sidecar`,
    );
  }
  const exclude = annotations[EXCLUDE_RANGES];
  if (exclude !== undefined) {
    const publicRanges = ranges(exclude).filter((r) => {
      const range = parseCidr(r.includes("/") ? r : `${r}/${r.includes(":") ? 128 : 32}`);
      return range === undefined || reachesPublicAddresses([range]);
    });
    if (publicRanges.length > 0) {
      gaps.push(
        `${EXCLUDE_RANGES}: "${exclude}" lets traffic to ${publicRanges.join(", ")} skip the sidecar`,
      );
    }
  }
  const ports = annotations[EXCLUDE_PORTS];
  if (ports !== undefined && ranges(ports).length > 0) {
    gaps.push(`${EXCLUDE_PORTS}: "${ports}" lets traffic to those ports, at any address, skip the sidecar`);
  }
  return gaps;
}

export const sidecarInterceptionNotNarrowed: StackRule = {
  name: "sidecar-interception-not-narrowed",
  description:
    "No namespace, and no pod or pod template outside the platform and the tenants (whose pods the knob allow-list judges), narrows sidecar interception " +
    "(`traffic.sidecar.istio.io/includeOutboundIPRanges` other than `*`, `excludeOutboundIPRanges` reaching public " +
    "addresses, `excludeOutboundPorts`). Traffic the sidecar does not intercept skips REGISTRY_ONLY, the egress " +
    "gateway, its authorization and its access log.",
  severity: "high",
  concern: "tenant-isolation",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Remove the traffic.sidecar.istio.io include/exclude annotations; route external traffic through the egress gateway.",
  kinds: [KIND.Namespace, ...WORKLOAD_KINDS],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const out: Violation[] = [];
    // Tenant pods are judged by the knob allow-list (tenant-pod-istio-knobs-allowed); the platform's own by nobody.
    const tenants = judgedTenants(objects, mesh);
    const platform = (ns: string | undefined): boolean =>
      ns !== undefined && (ns === mesh.gatewayNamespace || tenants.has(ns));
    const fix = "remove the annotation so the sidecar intercepts all outbound traffic";
    for (const namespace of ofKind(objects, KIND.Namespace)) {
      for (const gap of interceptionGaps(annotationsOf(namespace))) out.push(violation(namespace, gap, fix));
    }
    for (const kind of WORKLOAD_KINDS) {
      for (const workload of ofKind(objects, kind)) {
        if (platform(namespaceOf(workload))) continue;
        const template = podTemplate(workload);
        if (!template) continue;
        for (const gap of interceptionGaps(stringMap(template.metadata.annotations))) {
          out.push(violation(workload, gap, `${fix} (from the pod template)`));
        }
      }
    }
    return out;
  },
};
