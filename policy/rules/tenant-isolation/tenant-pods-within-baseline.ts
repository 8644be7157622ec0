import { BASELINE_CAPABILITIES, INIT_CAPABILITIES, INIT_CONTAINER, KubernetesObject } from "../../contract";
import { MeshTopology } from "../../mesh/mesh-topology";
import { fields, fieldsList, integer, text, texts } from "../../mesh/object-fields";
import { PodView } from "../../mesh/pod-readers";
import { StackRule, Violation, violation } from "../../engine/rule";
import { POD_KINDS, tenantPods } from "../../mesh/tenant-pods";

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
