import type { HelmChartSpec, KubernetesObject } from "../components/kubernetes-object";

/**
 * A chart as Flux sees it: a HelmRepository (source.toolkit.fluxcd.io/v1) and a HelmRelease
 * (helm.toolkit.fluxcd.io/v2) carrying chart, version and values, usable by GitOps as is.
 */
export function fluxHelmDocuments(
  chart: HelmChartSpec,
  dependsOn: readonly HelmChartSpec[] = [],
): KubernetesObject[] {
  const { repositoryName } = chart;
  return [
    {
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "HelmRepository",
      metadata: { name: repositoryName, namespace: chart.namespace },
      spec: { url: chart.repository, interval: "1h" },
    },
    {
      apiVersion: "helm.toolkit.fluxcd.io/v2",
      kind: "HelmRelease",
      metadata: { name: chart.releaseName, namespace: chart.namespace },
      spec: {
        releaseName: chart.releaseName,
        interval: "10m",
        chart: {
          spec: {
            chart: chart.chart,
            version: chart.version,
            sourceRef: { kind: "HelmRepository", name: repositoryName, namespace: chart.namespace },
          },
        },
        install: { crds: "CreateReplace" },
        upgrade: { crds: "CreateReplace" },
        ...(dependsOn.length > 0
          ? { dependsOn: dependsOn.map((d) => ({ name: d.releaseName, namespace: d.namespace })) }
          : {}),
        values: chart.values,
      },
    },
  ];
}
