import { KubernetesObject } from "./contract";

/**
 * Turns what CrossGuard hands a policy (a Pulumi type token and the resource's properties) into the
 * Kubernetes object the rules read. The properties stay behind `unknownCheckingProxy`: a rule that
 * reads a value unknown at preview throws `UnknownValueError`, which CrossGuard reports as advisory
 * ("can't run policy during preview"), while a rule that never reads it runs as usual.
 */

const SKIPPED_MODULES = /^(yaml|kustomize)\//;

/** "kubernetes:networking.istio.io/v1:ServiceEntry" → networking.istio.io/v1, ServiceEntry; "core/v1" → "v1". */
export function kubernetesTypeOf(type: string): { apiVersion: string; kind: string } | undefined {
  const m = /^kubernetes:([^:]+\/[^:]+):([A-Za-z0-9]+)$/.exec(type);
  if (!m || !m[1] || !m[2] || SKIPPED_MODULES.test(m[1]) || m[2].endsWith("List")) return undefined;
  const apiVersion = m[1].startsWith("core/") ? m[1].slice("core/".length) : m[1];
  return { apiVersion, kind: m[2] };
}

type Props = Record<string, unknown>;

function metadataView(metadata: unknown, fallbackName: string): Props {
  const target: Props = typeof metadata === "object" && metadata !== null ? (metadata as Props) : {};
  return new Proxy(target, {
    get(t, key, receiver) {
      if (key === "name") {
        // Names Pulumi fills in (auto-naming) may be absent from the inputs: use the resource's name.
        const name: unknown = Reflect.get(t, key, receiver);
        return typeof name === "string" && name !== "" ? name : fallbackName;
      }
      return Reflect.get(t, key, receiver);
    },
    has(t, key) {
      return key === "name" || Reflect.has(t, key);
    },
  });
}

/**
 * A helm.sh Chart or Release (a component at preview) as an object of kind Chart/Release whose spec holds
 * chart, version and values; every field is read only when a rule asks for it.
 */
function chartView(apiVersion: string, kind: string, props: Props, resourceName: string): KubernetesObject {
  const object = { apiVersion, kind } as Props;
  Object.defineProperty(object, "metadata", {
    enumerable: true,
    get: () => {
      const meta: Props = {};
      Object.defineProperty(meta, "name", {
        enumerable: true,
        get: () => (typeof props.name === "string" && props.name !== "" ? props.name : resourceName),
      });
      Object.defineProperty(meta, "namespace", { enumerable: true, get: () => props.namespace });
      return meta;
    },
  });
  Object.defineProperty(object, "spec", {
    enumerable: true,
    get: () => {
      const spec: Props = {};
      for (const key of ["chart", "version", "values", "repositoryOpts"]) {
        Object.defineProperty(spec, key, { enumerable: true, get: () => props[key] });
      }
      return spec;
    },
  });
  return object as unknown as KubernetesObject;
}

/** The Kubernetes object behind a CrossGuard resource; undefined for non-Kubernetes and grouping resources. */
export function toKubernetesObject(
  type: string,
  props: Props,
  resourceName: string,
): KubernetesObject | undefined {
  const id = kubernetesTypeOf(type);
  if (!id) return undefined;
  if (id.apiVersion.startsWith("helm.sh/")) return chartView(id.apiVersion, id.kind, props, resourceName);
  return new Proxy(props, {
    get(t, key, receiver) {
      if (key === "apiVersion") return id.apiVersion;
      if (key === "kind") return id.kind;
      if (key === "metadata") return metadataView(Reflect.get(t, key, receiver), resourceName);
      return Reflect.get(t, key, receiver);
    },
    has(t, key) {
      return key === "apiVersion" || key === "kind" || key === "metadata" || Reflect.has(t, key);
    },
  }) as unknown as KubernetesObject;
}
