import * as pulumi from "@pulumi/pulumi";
import { CertManager, CertManagerArgs } from "@pulumi/kubernetes-cert-manager";
import { HelmChartSpec } from "../kubernetes-object";
import { registerNamespaceFirst } from "./register-manifests";
import { CertManagerManifests } from "../cert-manager";

/**
 * Top-level chart values that `CertManager` (0.2.0) takes as typed arguments. Its provider copies
 * every typed argument over `helmOptions.values` key by key, unset ones included, so these keys
 * must travel as typed arguments and all others through `helmOptions.values`.
 */
export const CERT_MANAGER_TYPED_VALUES: ReadonlySet<string> = new Set([
  "affinity",
  "cainjector",
  "clusterResourceNamespace",
  "containerSecurityContext",
  "deploymentAnnotations",
  "extraArgs",
  "extraEnv",
  "extraVolumeMounts",
  "extraVolumes",
  "featureGates",
  "global",
  "http_proxy",
  "https_proxy",
  "image",
  "ingressShim",
  "installCRDs",
  "no_proxy",
  "nodeSelector",
  "podAnnotations",
  "podDnsConfig",
  "podDnsPolicy",
  "podLabels",
  "prometheus",
  "replicaCount",
  "resources",
  "securityContext",
  "serviceAccount",
  "serviceAnnotations",
  "serviceLabels",
  "startupapicheck",
  "strategy",
  "tolerations",
  "webhook",
]);

/** Fields of the typed `webhook` and `cainjector` arguments that this program sets; the provider drops unknown ones. */
const TYPED_COMPONENT_FIELDS: ReadonlySet<string> = new Set(["replicaCount", "resources"]);

/**
 * The same chart as `CertManager` arguments: pinned version, typed values where the component has
 * them, the rest in `helmOptions.values`, and `installCRDs` (what the chart documents as
 * crds.enabled plus crds.keep, both also set in the values).
 */
export function certManagerArgs(chart: HelmChartSpec): CertManagerArgs {
  const typed: Record<string, unknown> = {};
  const untyped: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(chart.values)) {
    if (!CERT_MANAGER_TYPED_VALUES.has(key)) {
      untyped[key] = value;
      continue;
    }
    if (key === "webhook" || key === "cainjector") {
      const lost = Object.keys(value as object).filter((field) => !TYPED_COMPONENT_FIELDS.has(field));
      if (lost.length > 0) {
        throw new Error(
          `cert-manager values ${key}.${lost.join(", ")} cannot pass through the CertManager component`,
        );
      }
    }
    typed[key] = value;
  }
  return {
    ...(typed as CertManagerArgs),
    installCRDs: true,
    helmOptions: {
      name: chart.releaseName,
      namespace: chart.namespace,
      chart: chart.chart,
      // Unpinned, CertManager installs whatever chart is newest.
      version: chart.version,
      repositoryOpts: { repo: chart.repository },
      values: untyped,
    },
  };
}

export interface CertManagerInstallationArgs {
  /** What `buildCertManagerManifests` built: the namespace and the pinned chart. */
  readonly manifests: CertManagerManifests;
}

/** cert-manager and its CRDs, for stacks that install it (`certManager.install: true`). */
export class CertManagerInstallation extends pulumi.ComponentResource {
  public readonly namespace: pulumi.Output<string>;
  /** The release (CRDs included): what issuers and certificates wait for. */
  public readonly release: pulumi.Resource;

  constructor(name: string, args: CertManagerInstallationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-egress:index:CertManagerInstallation", name, {}, opts);
    const { manifests } = args;
    const namespace = registerNamespaceFirst(this, name, manifests.namespace, opts);
    this.release = new CertManager(`${name}-release`, certManagerArgs(manifests.chart), {
      parent: this,
      dependsOn: [namespace],
    });
    this.namespace = pulumi.output(manifests.namespace.metadata.name);
    this.registerOutputs({ namespace: this.namespace });
  }
}
