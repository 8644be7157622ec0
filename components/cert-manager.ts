import type { CertManagerComponentSizing, EgressConfig } from "../stacks/model/egress-config";
import { COMPONENT_LABEL } from "../policy/contract";
import { HelmChartSpec, KubernetesObject, ownedLabels } from "./kubernetes-object";

export interface CertManagerManifests {
  readonly namespace: KubernetesObject;
  /** The `cert-manager` chart, CRDs included. */
  readonly chart: HelmChartSpec;
}

function sizingValues(sizing: CertManagerComponentSizing): Record<string, unknown> {
  return {
    replicaCount: sizing.replicas,
    resources: { requests: { ...sizing.resources.requests }, limits: { ...sizing.resources.limits } },
  };
}

/** Values for the `cert-manager` chart: its CRDs, and the tier's replicas and resources for each part. */
export function certManagerChartValues(config: EgressConfig): Record<string, unknown> {
  const { controller, webhook, cainjector } = config.certManager;
  const values: Record<string, unknown> = {
    // Kept on uninstall: deleting the CRDs would garbage-collect every Certificate and its Secret.
    crds: { enabled: true, keep: true },
    ...sizingValues(controller),
    webhook: sizingValues(webhook),
    cainjector: sizingValues(cainjector),
  };
  if (controller.replicas > 1) {
    // Only the controller's budget: the CertManager component cannot pass webhook/cainjector budgets (see certManagerArgs).
    values.podDisruptionBudget = { enabled: true, minAvailable: 1 };
  }
  return values;
}

/** The namespace and chart of a cert-manager this stack installs. Pure: same config, same manifests. */
export function buildCertManagerManifests(config: EgressConfig): CertManagerManifests {
  const { namespace, releaseName, chart } = config.certManager;
  return {
    namespace: {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: namespace, labels: ownedLabels({ [COMPONENT_LABEL]: "cert-manager" }) },
    },
    chart: {
      releaseName,
      namespace,
      chart: "cert-manager",
      version: chart.version,
      repository: chart.repository,
      repositoryName: "jetstack",
      values: certManagerChartValues(config),
    },
  };
}
