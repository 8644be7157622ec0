import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { HelmChartSpec, KubernetesObject } from "../kubernetes-object";

/**
 * Registers a built object as a Pulumi resource, exactly as built: typed resources for core kinds
 * (so policies and previews see their real types), CustomResource for everything else.
 * `secretStringData` (decrypted Pulumi secrets) joins a Secret's stringData as one Pulumi secret, so
 * state and logs hold only ciphertext.
 */
export function registerKubernetesObject(
  name: string,
  object: KubernetesObject,
  opts: pulumi.CustomResourceOptions,
  secretStringData?: Readonly<Record<string, string>>,
): pulumi.CustomResource {
  const { apiVersion, kind, metadata } = object;
  switch (`${apiVersion}/${kind}`) {
    case "v1/Namespace":
      return new k8s.core.v1.Namespace(name, { metadata }, opts);
    case "v1/Secret":
      if (secretStringData) {
        return new k8s.core.v1.Secret(
          name,
          {
            metadata,
            type: object.type,
            stringData: pulumi.secret({ ...object.stringData, ...secretStringData }),
          },
          { ...opts, additionalSecretOutputs: ["data", "stringData"] },
        );
      }
      return new k8s.core.v1.Secret(
        name,
        { metadata, type: object.type, data: object.data, stringData: object.stringData },
        opts,
      );
    case "v1/ConfigMap":
      return new k8s.core.v1.ConfigMap(name, { metadata, data: object.data }, opts);
    case "v1/ServiceAccount":
      return new k8s.core.v1.ServiceAccount(
        name,
        { metadata, automountServiceAccountToken: object.automountServiceAccountToken as boolean },
        opts,
      );
    case "rbac.authorization.k8s.io/v1/Role":
      return new k8s.rbac.v1.Role(
        name,
        { metadata, rules: object.rules as k8s.types.input.rbac.v1.PolicyRule[] },
        opts,
      );
    case "rbac.authorization.k8s.io/v1/RoleBinding":
      return new k8s.rbac.v1.RoleBinding(
        name,
        {
          metadata,
          roleRef: object.roleRef as k8s.types.input.rbac.v1.RoleRef,
          subjects: object.subjects as k8s.types.input.rbac.v1.Subject[],
        },
        opts,
      );
    case "networking.k8s.io/v1/NetworkPolicy":
      return new k8s.networking.v1.NetworkPolicy(
        name,
        { metadata, spec: object.spec as unknown as k8s.types.input.networking.v1.NetworkPolicySpec },
        opts,
      );
    case "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy":
      return new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
        name,
        {
          metadata,
          spec: object.spec as k8s.types.input.admissionregistration.v1.ValidatingAdmissionPolicySpec,
        },
        opts,
      );
    case "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding":
      return new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
        name,
        {
          metadata,
          spec: object.spec as unknown as k8s.types.input.admissionregistration.v1.ValidatingAdmissionPolicyBindingSpec,
        },
        opts,
      );
    default:
      return new k8s.apiextensions.CustomResource(name, { ...object }, opts);
  }
}

/** Registers a chart with Helm v4 so that previews and policies see every object it renders. */
export function registerChart(
  name: string,
  chart: HelmChartSpec,
  opts: pulumi.ComponentResourceOptions,
): k8s.helm.v4.Chart {
  return new k8s.helm.v4.Chart(
    name,
    {
      name: chart.releaseName,
      namespace: chart.namespace,
      chart: chart.chart,
      version: chart.version,
      repositoryOpts: { repo: chart.repository },
      values: chart.values,
    },
    opts,
  );
}

/** The Pulumi name of an object registered by a component: derived from the component's name. */
export function childName(componentName: string, object: KubernetesObject): string {
  return `${componentName}-${object.kind.toLowerCase()}-${object.metadata.name}`;
}

/** Registers a component's objects under it, in order; returns them for dependsOn. */
export function registerManifests(
  componentName: string,
  objects: readonly KubernetesObject[],
  opts: pulumi.CustomResourceOptions,
): pulumi.CustomResource[] {
  return objects.map((object) => registerKubernetesObject(childName(componentName, object), object, opts));
}

/**
 * Registers a component's namespace before anything else it owns. It waits for the component's own
 * `dependsOn` and `after`: Pulumi does not make children wait for their parent's dependencies, so
 * without this the ordering would hold for the component alone.
 */
export function registerNamespaceFirst(
  component: pulumi.ComponentResource,
  componentName: string,
  namespace: KubernetesObject,
  opts: pulumi.ComponentResourceOptions | undefined,
  after: readonly pulumi.Resource[] = [],
  retainOnDelete = false,
): pulumi.CustomResource {
  return registerKubernetesObject(childName(componentName, namespace), namespace, {
    parent: component,
    dependsOn: [...upstreamOf(opts), ...after],
    ...(retainOnDelete ? { retainOnDelete } : {}),
  });
}

/**
 * A component's own `dependsOn`, to pass to its children. A ComponentResource in a dependsOn list
 * expands to every custom resource below it, one dependency edge each: pass Resources where you can.
 */
export function upstreamOf(
  opts: pulumi.ComponentResourceOptions | undefined,
): pulumi.Input<pulumi.Resource>[] {
  const dependsOn = opts?.dependsOn;
  if (!dependsOn) return [];
  return Array.isArray(dependsOn) ? [...dependsOn] : [dependsOn as pulumi.Input<pulumi.Resource>];
}
