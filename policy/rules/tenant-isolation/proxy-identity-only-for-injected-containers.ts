import {
  BASELINE_CAPABILITIES,
  INIT_CAPABILITIES,
  INIT_CONTAINER,
  INJECTED_CONTAINER_NAMES,
  KubernetesObject,
  PROXY_GID,
  PROXY_IDENTITY_CONTAINERS,
  PROXY_UID,
  WORKLOAD_KINDS,
} from "../../contract";
import { MeshTopology } from "../../mesh/mesh-topology";
import { fields, fieldsList, integer, list, text, texts } from "../../mesh/object-fields";
import { PodContainer, podView, PodView } from "../../mesh/pod-readers";
import { StackRule, Violation, violation } from "../../engine/rule";
import { inTenants, judgedTenants } from "../../mesh/tenant-scope";

/**
 * Tenant isolation, pods: what a tenant pod may ask of the node and of the proxy. Pod Security Standards'
 * baseline is the positive model for host access and privilege; what no standard knows is that Istio's capture
 * lets the proxy's UID/GID out untouched and that the injector's container names are Istio's.
 */

const POD_KINDS = WORKLOAD_KINDS;

/** Every pod view in the judged tenant namespaces. */
function tenantPods(objects: readonly KubernetesObject[], mesh: MeshTopology): PodView[] {
  const tenants = judgedTenants(objects, mesh);
  return inTenants(objects, tenants)
    .map(podView)
    .filter((p): p is PodView => p !== undefined);
}

const isTrue = (value: unknown): boolean => value === true || value === "true";

/** What in one pod steps outside baseline's host and privilege rules, as phrases naming the field. */
function baselineGaps(pod: PodView): string[] {
  const gaps: string[] = [];
  for (const field of ["hostNetwork", "hostPID", "hostIPC"]) {
    if (isTrue(pod.spec[field]))
      gaps.push(`${field}: true shares the node's namespace (no sidecar, no NetworkPolicy)`);
  }
  for (const volume of fieldsList(pod.spec.volumes)) {
    if ("hostPath" in volume)
      gaps.push(
        `volume ${text(volume.name) ?? ""} mounts hostPath ${text(fields(volume.hostPath).path) ?? ""}`,
      );
  }
  for (const c of pod.containers) {
    for (const port of fieldsList(c.container.ports)) {
      const hostPort = integer(port.hostPort);
      if (hostPort !== undefined && hostPort !== 0) gaps.push(`${c.where} binds hostPort ${hostPort}`);
    }
    const security = fields(c.container.securityContext);
    if (isTrue(security.privileged)) gaps.push(`${c.where} is privileged`);
    const added = texts(fields(security.capabilities).add).map((cap) =>
      cap.replace(/^CAP_/, "").toUpperCase(),
    );
    // Without Istio CNI the injected istio-init holds exactly NET_ADMIN and NET_RAW to write the pod's iptables.
    const initMay = c.injected && c.name === INIT_CONTAINER ? INIT_CAPABILITIES : [];
    const beyond = added.filter((cap) => !BASELINE_CAPABILITIES.includes(cap) && !initMay.includes(cap));
    if (beyond.length > 0) gaps.push(`${c.where} adds ${beyond.join(", ")}, beyond baseline's capabilities`);
  }
  return gaps;
}

export const tenantPodsWithinBaseline: StackRule = {
  name: "tenant-pods-within-baseline",
  description:
    "Pods and pod templates (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, ReplicationController, " +
    "PodTemplate; ephemeral containers included) in tenant namespaces stay within Pod Security baseline's host and " +
    "privilege rules: no hostNetwork, hostPID, hostIPC, hostPath or hostPort, nothing privileged, no capability " +
    "beyond baseline's. A pod on the node's network has no sidecar and meets no NetworkPolicy; NET_ADMIN, NET_RAW " +
    "or privilege flush the sidecar's iptables capture. Only the injected istio-init may hold NET_ADMIN and NET_RAW.",
  severity: "critical",
  concern: "tenant-isolation",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Remove host namespaces, hostPath, hostPort, privileged and added capabilities beyond baseline from the pod template.",
  kinds: [...POD_KINDS],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    return tenantPods(objects, mesh).flatMap((pod) =>
      baselineGaps(pod).map((gap) =>
        violation(
          pod.object,
          gap,
          "remove it: a tenant pod runs in its own namespaces, unprivileged, with baseline's capabilities",
        ),
      ),
    );
  },
};

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
