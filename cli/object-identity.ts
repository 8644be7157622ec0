import type { KubernetesObject } from "../policy/contract";

/** What the API server keys an object by: API group, kind, namespace, name (the version is not part of it). */
export function objectIdentity(object: KubernetesObject): string {
  const group = object.apiVersion.includes("/")
    ? object.apiVersion.slice(0, object.apiVersion.indexOf("/"))
    : "";
  const namespace = object.metadata.namespace ?? "";
  return `${object.kind}.${group} ${namespace ? `${namespace}/` : ""}${object.metadata.name}`;
}

/**
 * The first object declared twice, as a message naming both sources; undefined when every identity is
 * unique. Two copies of one object mean one silently replaces the other when applied: lint would judge
 * a stack that never exists.
 */
export function duplicateIdentityProblem(
  objects: readonly { readonly object: KubernetesObject; readonly source: string }[],
): string | undefined {
  const first = new Map<string, string>();
  for (const { object, source } of objects) {
    const identity = objectIdentity(object);
    const earlier = first.get(identity);
    if (earlier !== undefined) {
      return `${source}: ${identity} is declared twice (also ${earlier}): an apply keeps only one of them; remove the duplicate`;
    }
    first.set(identity, source);
  }
  return undefined;
}
