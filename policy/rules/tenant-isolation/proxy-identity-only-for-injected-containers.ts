import {
  INJECTED_CONTAINER_NAMES,
  KubernetesObject,
  PROXY_GID,
  PROXY_IDENTITY_CONTAINERS,
  PROXY_UID,
} from "../../contract";
import { MeshTopology } from "../../mesh/mesh-topology";
import { fields, integer, list } from "../../mesh/object-fields";
import { PodContainer, PodView } from "../../mesh/pod-readers";
import { StackRule, Violation, violation } from "../../engine/rule";
import { POD_KINDS, tenantPods } from "../../mesh/tenant-pods";

const PROXY_IDS = new Set([PROXY_UID, PROXY_GID]);
const proxyId = (value: unknown): boolean => {
  const id = integer(value);
  return id !== undefined && PROXY_IDS.has(id);
};

/** Where one pod runs as the proxy's UID or GID, or takes an injected container's name, outside the injected containers. */
function proxyIdentityGaps(pod: PodView): string[] {
  const gaps: string[] = [];
  const podSecurity = fields(pod.spec.securityContext);
  for (const field of ["runAsUser", "runAsGroup", "fsGroup"]) {
    if (proxyId(podSecurity[field]))
      gaps.push(`the pod's securityContext.${field} is ${String(podSecurity[field])}`);
  }
  if (list(podSecurity.supplementalGroups).some(proxyId))
    gaps.push(`the pod's supplementalGroups include ${PROXY_GID}`);
  for (const c of pod.containers) {
    const runsAsProxy = c.injected && PROXY_IDENTITY_CONTAINERS.includes(c.name);
    const security = fields(c.container.securityContext);
    for (const field of ["runAsUser", "runAsGroup"]) {
      if (!runsAsProxy && proxyId(security[field]))
        gaps.push(`${c.where} sets ${field} ${String(security[field])}`);
    }
    if (INJECTED_CONTAINER_NAMES.includes(c.name) && !c.injected) gaps.push(nameGap(c, pod));
  }
  return gaps;
}

function nameGap(c: PodContainer, pod: PodView): string {
  return pod.isPod
    ? `${c.where} takes the name of an injected container without being the injector's (its status annotation and proxy image)`
    : `${c.where} takes the name of an injected container, so it overrides the one the injector adds`;
}

export const proxyIdentityOnlyForInjectedContainers: StackRule = {
  name: "proxy-identity-only-for-injected-containers",
  description:
    `In tenant namespaces only the injected ${PROXY_IDENTITY_CONTAINERS.join(" and ")} run as Istio's UID ${PROXY_UID} ` +
    `or GID ${PROXY_GID} (pod or container runAsUser, runAsGroup, fsGroup, supplementalGroups), and only the ` +
    `injector's containers bear its names (${INJECTED_CONTAINER_NAMES.join(", ")}). Istio's capture lets the proxy's ` +
    "traffic out untouched, so an app running as it bypasses the sidecar; a template container named like an " +
    "injected one replaces it.",
  severity: "critical",
  concern: "tenant-isolation",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: `Run the app as another UID and GID than ${PROXY_UID}, and rename containers named like Istio's.`,
  kinds: [...POD_KINDS],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    return tenantPods(objects, mesh).flatMap((pod) =>
      proxyIdentityGaps(pod).map((gap) =>
        violation(
          pod.object,
          `${gap}: that identity and those names are the Istio proxy's, whose traffic its capture lets out`,
          `run the app as another UID/GID than ${PROXY_UID} and give its containers names of their own`,
        ),
      ),
    );
  },
};
