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
    } else if (resource.type === "kubernetes-cert-manager:index:CertManager") {
      charts.push(chartFromCertManager(inputs));
    } else if (resource.type.startsWith("kubernetes:") && inputs.apiVersion && inputs.kind) {
      objects.push(withoutUndefined(revealSecrets(inputs)) as KubernetesObject);
    } else {
      throw new Error(`registered ${resource.type} "${resource.name}" has no manifest mapping`);
    }
  }
  return { objects, charts };
}

/**
 * The chart a CertManager component installs, as Helm receives it: its provider writes every typed
 * argument over `helmOptions.values` (top-level keys), and the chart reads `installCRDs: true` as
 * crds.enabled plus crds.keep.
 */
function chartFromCertManager(inputs: Record<string, any>): Omit<HelmChartSpec, "repositoryName"> {
  const { helmOptions = {}, installCRDs, ...typed } = inputs;
  const values: Record<string, unknown> = { ...(helmOptions.values ?? {}) };
  for (const [key, value] of Object.entries(typed)) if (value !== undefined) values[key] = value;
  if (installCRDs === true) values.crds = { ...(values.crds as object), enabled: true, keep: true };
  return {
    releaseName: helmOptions.name,
    namespace: helmOptions.namespace,
    chart: helmOptions.chart ?? "cert-manager",
    version: helmOptions.version,
    repository: helmOptions.repositoryOpts?.repo ?? "https://charts.jetstack.io",
    values,
  };
}

const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Replaces Pulumi secret wrappers with their values: a manifest compares by content (secretness is tested apart). */
export function revealSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revealSecrets);
  if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record[SECRET_SIG_KEY] === SECRET_SIG) return revealSecrets(record.value);
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, revealSecrets(v)]));
  }
  return value;
}

/** Drops undefined fields, as YAML rendering does. */
export function withoutUndefined(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

/** A stable, order-independent key for comparing objects. */
export function objectKey(object: KubernetesObject): string {
  return `${object.apiVersion}/${object.kind}/${object.metadata.namespace ?? ""}/${object.metadata.name}`;
}
