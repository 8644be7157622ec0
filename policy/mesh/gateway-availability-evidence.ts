import { CHART_KINDS, KIND, KubernetesObject } from "../contract";
import {
  ChartRelease,
  egressGatewayReleases,
  egressGatewayWorkloads,
  podTemplate,
} from "./mesh-object-readers";
import { MeshTopology } from "./mesh-topology";
import { isKind, namespaceOf, stringMap, text } from "./object-fields";

/** The kinds that carry the gateway's availability settings: its chart releases and its Deployment. */
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

/** The availability evidence of each egress gateway in the objects. */
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

/** The object a violation about this evidence names. */
export function evidenceObject(e: HaEvidence): KubernetesObject {
  return e.source === "rendered" ? e.workload : e.release.object;
}
