import { spawn } from "node:child_process";
import { KIND, type KubernetesObject, type ObjectKind } from "../policy/contract";
import { allRules } from "../policy/engine/catalog";

/** Where to read from: a kubeconfig file and context, each kubectl's own default when absent. */
export interface LiveClusterTarget {
  readonly kubeconfig?: string;
  readonly context?: string;
  /** The kubectl binary; `$KUBECTL` or `kubectl` on PATH by default. */
  readonly kubectl?: string;
}

/** The cluster could not be read: the message says which and why. */
export class LiveClusterError extends Error {}

/** Groups that exist only at preview time (CrossGuard's view of Helm charts), never in a cluster. */
const PREVIEW_ONLY_GROUPS = new Set(["helm.sh"]);

/** Read by the origination rules as evidence (server roots), though no rule is about Secrets themselves. */
const SECRET: ObjectKind = { group: "", kind: "Secret" };

/** Every kind some rule judges or reads as evidence, once each: what a live lint must read. */
export function kindsTheRulesJudge(): ObjectKind[] {
  const kinds = new Map<string, ObjectKind>();
  for (const rule of [...allRules.map((r) => r.kinds), Object.values(KIND), [SECRET]]) {
    for (const kind of rule) {
      if (!PREVIEW_ONLY_GROUPS.has(kind.group)) kinds.set(`${kind.group}/${kind.kind}`, kind);
    }
  }
  return [...kinds.values()];
}

function runKubectl(target: LiveClusterTarget, args: readonly string[]): Promise<string> {
  const binary = target.kubectl ?? process.env.KUBECTL ?? "kubectl";
  const scope = [
    ...(target.kubeconfig ? ["--kubeconfig", target.kubeconfig] : []),
    ...(target.context ? ["--context", target.context] : []),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(binary, [...scope, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", (e) =>
      reject(
        new LiveClusterError(`cannot run ${binary} (set $KUBECTL or put kubectl on PATH): ${e.message}`),
      ),
    );
    child.on("close", (status) => {
      if (status === 0) resolve(Buffer.concat(out).toString("utf8"));
      else
        reject(
          new LiveClusterError(
            `kubectl ${args.join(" ")} failed: ${Buffer.concat(err).toString("utf8").trim()}`,
          ),
        );
    });
  });
}

/** `kubectl api-resources` rows: resource name (qualified by group) per group and kind. */
async function servedResources(target: LiveClusterTarget): Promise<Map<string, string>> {
  const table = await runKubectl(target, ["api-resources", "--verbs=list", "--no-headers"]);
  const served = new Map<string, string>();
  for (const line of table.split("\n")) {
    const columns = line.trim().split(/\s+/);
    if (columns.length < 4) continue;
    // NAME [SHORTNAMES] APIVERSION NAMESPACED KIND: read from both ends, SHORTNAMES may be empty.
    const [name, kind, apiVersion] = [columns[0], columns[columns.length - 1], columns[columns.length - 3]];
    const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.lastIndexOf("/")) : "";
    served.set(`${group}/${kind}`, group ? `${name}.${group}` : name);
  }
  return served;
}

/** Fields the server owns: not part of what anyone declared, and noise in findings. */
const SERVER_OWNED_METADATA = ["managedFields", "resourceVersion", "uid", "creationTimestamp", "generation"];

function declaredPart(object: KubernetesObject): KubernetesObject {
  const metadata = Object.fromEntries(
    Object.entries(object.metadata).filter(([key]) => !SERVER_OWNED_METADATA.includes(key)),
  );
  const rest = Object.fromEntries(Object.entries(object).filter(([key]) => key !== "status"));
  return { ...rest, metadata } as KubernetesObject;
}

/**
 * Reads every object of every kind the rules judge, from all namespaces, as `kubectl get -A -o json`
 * returns it. Kinds the cluster does not serve (no cert-manager, no Flux) are simply absent.
 */
export async function readLiveObjects(target: LiveClusterTarget): Promise<KubernetesObject[]> {
  const served = await servedResources(target);
  const resources = kindsTheRulesJudge()
    .map((kind) => served.get(`${kind.group}/${kind.kind}`))
    .filter((name): name is string => name !== undefined);
  if (resources.length === 0) return [];
  const list = JSON.parse(
    await runKubectl(target, ["get", resources.join(","), "--all-namespaces", "-o", "json"]),
  ) as {
    items?: KubernetesObject[];
  };
  return (list.items ?? []).map(declaredPart);
}
