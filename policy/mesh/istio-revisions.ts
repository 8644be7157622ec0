import {
  CHART_KINDS,
  DEFAULT_REVISION,
  NAMESPACE_INJECTION_LABEL,
  NAMESPACE_INJECTION_ON,
  GATEWAY_ROLE,
  KIND,
  KubernetesObject,
  REVISION_KEY,
  ROLE_LABEL,
} from "../contract";
import { chartRelease, isGatewayChart, isIstiodChart } from "./mesh-object-readers";
import { labelsOf, ofKind, specOf, text } from "./object-fields";

/** The Istio control-plane revisions a platform runs, which a tenant pod may ask for and nothing else. */

/**
 * The control-plane revisions the input shows: the platform namespace's `istio.io/rev` (or `default` for its
 * `istio-injection=enabled`), the charts' and IstioOperators' `revision`, the injector webhooks' revision label.
 * Empty when the input shows none: then no revision can be judged.
 */
export function knownRevisions(objects: readonly KubernetesObject[]): Set<string> {
  const revisions = new Set<string>();
  const add = (value: string | undefined): void => {
    if (value) revisions.add(value);
  };
  for (const namespace of ofKind(objects, KIND.Namespace)) {
    const labels = labelsOf(namespace);
    if (labels[ROLE_LABEL] !== GATEWAY_ROLE) continue;
    add(labels[REVISION_KEY]);
    if (labels[NAMESPACE_INJECTION_LABEL] === NAMESPACE_INJECTION_ON) add(DEFAULT_REVISION);
  }
  for (const object of CHART_KINDS.flatMap((k) => ofKind(objects, k))) {
    const release = chartRelease(object);
    if (release && (isIstiodChart(release.chart) || isGatewayChart(release.chart)))
      add(text(release.values.revision));
  }
  for (const operator of ofKind(objects, KIND.IstioOperator)) add(text(specOf(operator).revision));
  for (const webhook of ofKind(objects, KIND.MutatingWebhookConfiguration))
    add(labelsOf(webhook)[REVISION_KEY]);
  return revisions;
}

/** Whether a revision is one the platform runs; with none shown, any is taken on trust. */
export function runsRevision(revisions: ReadonlySet<string>, revision: string): boolean {
  return revisions.size === 0 || revisions.has(revision);
}
