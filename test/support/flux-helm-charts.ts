import type { HelmChartSpec } from "../../components/kubernetes-object";

/**
 * The charts a render installs, read back from its Flux HelmRelease (helm.toolkit.fluxcd.io/v2) documents
 * and the HelmRepository each one sources from, so a render's chart values can be checked from the render
 * alone. `valuesFrom` is not resolved: mesh-egress renders values inline.
 */
export function chartsInFluxReleases(objects: readonly unknown[]): HelmChartSpec[] {
  const documents = objects.filter(isRecord);
  return documents
    .filter((doc) => doc.apiVersion === "helm.toolkit.fluxcd.io/v2" && doc.kind === "HelmRelease")
    .map((release) => {
      const metadata = record(release.metadata);
      const spec = record(release.spec);
      const chartSpec = record(record(spec.chart).spec);
      const sourceRef = record(chartSpec.sourceRef);
      const namespace = String(spec.targetNamespace ?? metadata.namespace ?? "");
      const repository = documents.find(
        (doc) =>
          doc.kind === "HelmRepository" &&
          record(doc.metadata).name === sourceRef.name &&
          (record(doc.metadata).namespace ?? metadata.namespace) ===
            (sourceRef.namespace ?? metadata.namespace),
      );
      return {
        releaseName: String(spec.releaseName ?? metadata.name),
        namespace,
        chart: String(chartSpec.chart),
        version: String(chartSpec.version),
        repository: String(record(repository?.spec).url ?? ""),
        repositoryName: String(sourceRef.name ?? ""),
        values: record(spec.values),
      };
    });
}

function record(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
