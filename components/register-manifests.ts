import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { KubernetesObject } from "./kubernetes-object";

/**
 * Registers built objects as Pulumi resources, exactly as built: typed resources for core kinds
 * (so policies and previews see their real types), CustomResource for everything else.
 */
export function registerKubernetesObject(
  name: string,
  object: KubernetesObject,
  opts: pulumi.CustomResourceOptions,
): pulumi.CustomResource {
  const { apiVersion, kind, metadata } = object;
  switch (`${apiVersion}/${kind}`) {
    case "v1/Namespace":
      return new k8s.core.v1.Namespace(name, { metadata }, opts);
    case "v1/Secret":
      return new k8s.core.v1.Secret(
        name,
        { metadata, type: object.type, data: object.data, stringData: object.stringData },
        opts,
      );
    case "v1/ConfigMap":
      return new k8s.core.v1.ConfigMap(name, { metadata, data: object.data }, opts);
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
 * A component's own `dependsOn`, to pass to its children: Pulumi does not make children wait for
 * their parent's dependencies, so without this the ordering would hold for the component alone.
 */
export function upstreamOf(
  opts: pulumi.ComponentResourceOptions | undefined,
): pulumi.Input<pulumi.Resource>[] {
  const dependsOn = opts?.dependsOn;
  if (!dependsOn) return [];
  return Array.isArray(dependsOn) ? [...dependsOn] : [dependsOn as pulumi.Input<pulumi.Resource>];
}
