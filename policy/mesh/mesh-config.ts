import { parse } from "yaml";
import { KIND, KubernetesObject } from "../contract";
import { chartRelease, isIstiodChart } from "./mesh-object-readers";
import { Fields, dig, fields, isFields, isKind, nameOf, ofKind, specOf, text } from "./object-fields";

/**
 * istiod's mesh config wherever a manifest sets it: an istiod chart release's `values.meshConfig`, an
 * IstioOperator's `spec.meshConfig`, or the `istio` ConfigMap's `mesh` key (YAML text), which is what
 * istiod itself reads. Each is read from one object alone.
 */
export interface MeshConfigSource {
  readonly object: KubernetesObject;
  /** Where in the object, for messages and fixes ("values.meshConfig", "data.mesh"). */
  readonly where: string;
  readonly meshConfig: Fields;
  /**
   * Whether a field left out takes istiod's default: true for the ConfigMap (it is the whole mesh config)
   * and for installs of istiod; false for an IstioOperator that installs no control plane (an overlay).
   */
  readonly complete: boolean;
}

/** The ConfigMap istiod reads its mesh config from: `istio`, or `istio-<revision>`. */
function isMeshConfigMap(object: KubernetesObject): boolean {
  return (
    isKind(object, KIND.ConfigMap) &&
    /^istio(-[a-z0-9-]+)?$/.test(nameOf(object)) &&
    "mesh" in fields(object.data)
  );
}

/** Whether an IstioOperator installs istiod (its profile is not `empty`/`remote` and pilot is not disabled). */
function installsIstiod(operator: KubernetesObject): boolean {
  const spec = specOf(operator);
  const profile = text(spec.profile) ?? "default";
  return (
    !["empty", "remote", "external"].includes(profile) &&
    dig(spec, "components", "pilot", "enabled") !== false
  );
}

export function meshConfigOf(object: KubernetesObject): MeshConfigSource | undefined {
  if (isKind(object, KIND.IstioOperator)) {
    const spec = specOf(object);
    if (!isFields(spec.meshConfig) && !installsIstiod(object)) return undefined;
    return {
      object,
      where: "spec.meshConfig",
      meshConfig: fields(spec.meshConfig),
      complete: installsIstiod(object),
    };
  }
  if (isMeshConfigMap(object)) {
    let meshConfig: unknown;
    try {
      meshConfig = parse(String(fields(object.data).mesh));
    } catch {
      meshConfig = undefined;
    }
    return { object, where: "data.mesh", meshConfig: fields(meshConfig), complete: true };
  }
  const release = chartRelease(object);
  if (release && isIstiodChart(release.chart)) {
    return {
      object,
      where: "values.meshConfig",
      meshConfig: fields(release.values.meshConfig),
      complete: true,
    };
  }
  return undefined;
}

/** Every mesh config source in the input. */
export function meshConfigSources(objects: readonly KubernetesObject[]): MeshConfigSource[] {
  const candidates = [
    ...ofKind(objects, KIND.IstioOperator),
    ...ofKind(objects, KIND.ConfigMap),
    ...ofKind(objects, KIND.HelmRelease),
    ...ofKind(objects, KIND.HelmChart),
    ...ofKind(objects, KIND.HelmChartRelease),
  ];
  return candidates.map(meshConfigOf).filter((s): s is MeshConfigSource => s !== undefined);
}

/** Whether a mesh config turns on the built-in access log for every proxy, gateways included. */
export function meshLogsAccess(source: MeshConfigSource): boolean {
  const file = text(source.meshConfig.accessLogFile);
  return file !== undefined && file.trim() !== "";
}
