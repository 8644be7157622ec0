import { OWNED_LABELS } from "../policy/contract";

/**
 * The shape every builder returns and every policy rule reads: one type, owned by the policy pack (which
 * must stay importable on its own), so a rendered object is by construction what the rules check.
 */
export type { KubernetesObject, ObjectMeta } from "../policy/contract";

/** A Helm chart the program installs: rendered as a Flux HelmRepository + HelmRelease pair. */
export interface HelmChartSpec {
  /** Release name; also the prefix of the chart's objects (the gateway Service is named after it). */
  readonly releaseName: string;
  readonly namespace: string;
  readonly chart: string;
  readonly version: string;
  readonly repository: string;
  /** Short name of the chart repository (the Flux HelmRepository's name), e.g. `istio`. */
  readonly repositoryName: string;
  readonly values: Record<string, unknown>;
}

/** Labels on every object the program owns, so reports, lints and operators can select them. */
export function ownedLabels(extra: Record<string, string> = {}): Record<string, string> {
  return { ...OWNED_LABELS, ...extra };
}
