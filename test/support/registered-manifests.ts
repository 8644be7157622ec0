import type { HelmChartSpec, KubernetesObject } from "../../components/kubernetes-object";
import type { RegisteredResource } from "./pulumi-harness";

/** What a set of registrations deploys, in the vocabulary of the builders. */
export interface RegisteredManifests {
  readonly objects: KubernetesObject[];
  readonly charts: Omit<HelmChartSpec, "repositoryName">[];
}

const COMPONENT_TYPE = /^mesh-egress:index:/;

/**
 * Turns registrations back into objects and charts. Any registration it does not understand fails
 * loudly, so a new resource kind cannot slip past the render == program comparison.
 */
export function manifestsFromRegistrations(resources: readonly RegisteredResource[]): RegisteredManifests {
  const objects: KubernetesObject[] = [];
  const charts: Omit<HelmChartSpec, "repositoryName">[] = [];
  for (const resource of resources) {
    const inputs = resource.inputs as Record<string, any>;
    if (COMPONENT_TYPE.test(resource.type)) continue;
    if (resource.type === "kubernetes:helm.sh/v4:Chart") {
      charts.push({
        releaseName: inputs.name,
        namespace: inputs.namespace,
        chart: inputs.chart,
        version: inputs.version,
        repository: inputs.repositoryOpts?.repo,
        values: inputs.values ?? {},
      });
    } else if (resource.type.startsWith("kubernetes:") && inputs.apiVersion && inputs.kind) {
      objects.push(withoutUndefined(inputs) as KubernetesObject);
    } else {
      throw new Error(`registered ${resource.type} "${resource.name}" has no manifest mapping`);
    }
  }
  return { objects, charts };
}

/** Drops undefined fields, as YAML rendering does. */
export function withoutUndefined(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

/** A stable, order-independent key for comparing objects. */
export function objectKey(object: KubernetesObject): string {
  return `${object.apiVersion}/${object.kind}/${object.metadata.namespace ?? ""}/${object.metadata.name}`;
}
