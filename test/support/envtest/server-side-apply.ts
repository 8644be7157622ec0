import type { KubernetesObject } from "../../../components/kubernetes-object";
import type { EnvtestApiServer } from "./api-server";

/** The field manager the program's objects are applied with, as `pulumi up` would own them. */
export const FIELD_MANAGER = "mesh-egress";

/** Marks namespaces the harness creates because a stack expects them to exist already. */
export const PREEXISTING_LABEL = "mesh-egress.io/envtest-preexisting";

/** `Kind ns/name` of an object, the key applied objects are compared by. */
export function objectId(object: { kind: string; metadata: { name?: string; namespace?: string } }): string {
  const { namespace, name } = object.metadata;
  return `${object.kind} ${namespace ? `${namespace}/` : ""}${name}`;
}

function asList(objects: readonly unknown[]): string {
  return JSON.stringify({ apiVersion: "v1", kind: "List", items: objects });
}

/**
 * Namespaces the objects live in but do not create (istiod's when the stack uses an existing control
 * plane, cert-manager's …): created first, as they would already exist in a real cluster.
 */
export async function ensurePreexistingNamespaces(
  server: EnvtestApiServer,
  objects: readonly KubernetesObject[],
): Promise<string[]> {
  const created = new Set(objects.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name));
  const needed = [
    ...new Set(
      objects.map((o) => o.metadata.namespace).filter((ns): ns is string => !!ns && !created.has(ns)),
    ),
  ].sort();
  if (needed.length > 0) {
    const namespaces = needed.map((name) => ({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name, labels: { [PREEXISTING_LABEL]: "true" } },
    }));
    await server.kubectlOrThrow(
      ["apply", "--server-side", "--field-manager=envtest", "-f", "-"],
      asList(namespaces),
    );
  }
  return needed;
}

/**
 * Server-side apply with `fieldValidation=Strict`, in the order given (the render's: namespaces
 * first). Returns each object as the server stored it, by `objectId`; a rejection is an error
 * with kubectl's message, which names the object and the field.
 */
export async function applyStrict(
  server: EnvtestApiServer,
  objects: readonly KubernetesObject[],
  { dryRun = false }: { dryRun?: boolean } = {},
): Promise<Map<string, KubernetesObject>> {
  const args = [
    "apply",
    "--server-side",
    `--field-manager=${FIELD_MANAGER}`,
    "--validate=strict",
    "-o",
    "json",
  ];
  const output = await server.kubectlOrThrow(
    [...args, ...(dryRun ? ["--dry-run=server"] : []), "-f", "-"],
    asList(objects),
  );
  const applied = JSON.parse(output) as { kind: string; items?: KubernetesObject[] } & KubernetesObject;
  const items = applied.kind === "List" ? (applied.items ?? []) : [applied];
  return new Map(items.map((item) => [objectId(item), item]));
}

/**
 * Removes what `applyStrict` created, so the next suite starts from an empty cluster: objects first,
 * then their namespaces, finalized by hand since no namespace controller runs here.
 */
export async function uninstall(
  server: EnvtestApiServer,
  objects: readonly KubernetesObject[],
): Promise<void> {
  const namespaced = objects.filter((o) => o.kind !== "Namespace").reverse();
  if (namespaced.length > 0) {
    await server.kubectlOrThrow(
      ["delete", "--ignore-not-found", "--wait=false", "-f", "-"],
      asList(namespaced),
    );
  }
  for (const namespace of objects.filter((o) => o.kind === "Namespace")) {
    const name = namespace.metadata.name;
    await server.kubectlOrThrow(["delete", "namespace", name, "--ignore-not-found", "--wait=false"]);
    const finalize = { apiVersion: "v1", kind: "Namespace", metadata: { name }, spec: { finalizers: [] } };
    const result = await server.kubectl(
      ["replace", "--raw", `/api/v1/namespaces/${name}/finalize`, "-f", "-"],
      JSON.stringify(finalize),
    );
    if (result.status !== 0 && !/NotFound|not found/.test(result.stderr)) {
      throw new Error(`finalizing namespace ${name}: ${result.stderr.trim()}`);
    }
  }
}
