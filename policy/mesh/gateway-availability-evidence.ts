import { CHART_KINDS, KIND, KubernetesObject } from "../contract";
import {
  ChartRelease,
  egressGatewayReleases,
  egressGatewayWorkloads,
  podTemplate,
} from "./mesh-object-readers";
import { MeshTopology } from "./mesh-topology";
import { isKind, namespaceOf, stringMap, text } from "./object-fields";

export const HA_KINDS = [...CHART_KINDS, KIND.Deployment];

/**
 * Where the gateway's availability settings can be read: the rendered Deployment (CrossGuard sees the
 * helm.v4.Chart's children at preview), else the chart values of a HelmRelease or Chart.
 */
export type HaEvidence =
  | {
      readonly source: "rendered";
      readonly workload: KubernetesObject;
      readonly podLabels: Record<string, string>;
    }
  | { readonly source: "values"; readonly release: ChartRelease };

export function haEvidence(objects: readonly KubernetesObject[], mesh: MeshTopology): HaEvidence[] {
  const inPlatform = (ns: string | undefined): boolean =>
    !mesh.gatewayNamespace || ns === mesh.gatewayNamespace;
  const rendered = egressGatewayWorkloads(objects).filter(
    (w) => isKind(w, KIND.Deployment) && inPlatform(namespaceOf(w)),
  );
  if (rendered.length > 0) {
    return rendered.map((workload) => ({
      source: "rendered",
      workload,
      podLabels: stringMap(podTemplate(workload)?.metadata.labels),
    }));
  }
  return egressGatewayReleases(objects)
    .filter((r) => inPlatform(r.namespace) && text(r.values.kind) !== "DaemonSet")
    .map((release) => ({ source: "values", release }));
}

export function evidenceObject(e: HaEvidence): KubernetesObject {
  return e.source === "rendered" ? e.workload : e.release.object;
}
