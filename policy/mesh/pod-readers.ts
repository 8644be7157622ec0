import { INJECTED_CONTAINER_NAMES, INJECTION_STATUS_ANNOTATION, KIND, KubernetesObject } from "../contract";
import { podTemplate } from "./mesh-object-readers";
import { Fields, fields, fieldsList, isKind, stringMap, text } from "./object-fields";

/** A container of a pod or template, with where it sits, for messages ("initContainers[0] istio-init"). */
export interface PodContainer {
  readonly where: string;
  readonly name: string;
  readonly container: Fields;
  /** The injector put it there: judged as Istio's, not the tenant's. */
  readonly injected: boolean;
}

/** The pod (or template) of an object, with the labels, annotations and spec the pod rules read. */
export interface PodView {
  readonly object: KubernetesObject;
  /** A Pod as admitted, after injection; otherwise a template the injector has not seen yet. */
  readonly isPod: boolean;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly spec: Fields;
  readonly containers: readonly PodContainer[];
}

/** The proxyv2 image the injector runs (`docker.io/istio/proxyv2:1.30.3`, any registry, tag or digest). */
const PROXY_IMAGE = /(^|\/)proxyv2([:@]|$)/;

/** The containers the injector's status annotation records (JSON); none when it does not parse. */
function statusNames(status: string): unknown[] {
  try {
    const record = fields(JSON.parse(status));
    return [record.containers, record.initContainers].flatMap((l) => (Array.isArray(l) ? l : []));
  } catch {
    return [];
  }
}

/**
 * Whether a Pod's container is the injector's: its name is one of the injector's, the Pod carries the
 * injector's status annotation naming it, and it runs the proxy image. Offline the mesh's exact image is not
 * known (the admission guardrail compares it exactly); templates never hold injected containers.
 */
function injectedContainer(status: string | undefined, name: string, container: Fields): boolean {
  if (status === undefined || !INJECTED_CONTAINER_NAMES.includes(name)) return false;
  return statusNames(status).includes(name) && PROXY_IMAGE.test(text(container.image) ?? "");
}

/** The pod view of a Pod or of any kind carrying a pod template; undefined for other kinds. */
export function podView(object: KubernetesObject): PodView | undefined {
  const template = podTemplate(object);
  if (!template) return undefined;
  const isPod = isKind(object, KIND.Pod);
  const annotations = stringMap(template.metadata.annotations);
  const status = isPod ? annotations[INJECTION_STATUS_ANNOTATION] : undefined;
  const containers = (["containers", "initContainers", "ephemeralContainers"] as const).flatMap((field) =>
    fieldsList(template.spec[field]).map((container, index) => {
      const name = text(container.name) ?? "";
      return {
        where: `${field}[${index}] ${name}`,
        name,
        container,
        injected: field !== "ephemeralContainers" && injectedContainer(status, name, container),
      };
    }),
  );
  return {
    object,
    isPod,
    labels: stringMap(template.metadata.labels),
    annotations,
    spec: template.spec,
    containers,
  };
}
