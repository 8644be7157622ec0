import {
  BASELINE_CAPABILITIES,
  INIT_CAPABILITIES,
  INIT_CONTAINER,
  INJECTED_CONTAINER_ARGS,
  INJECTED_CONTAINER_NAMES,
  INJECTION_STATUS_ANNOTATION,
  PROXY_GID,
  PROXY_IDENTITY_CONTAINERS,
  PROXY_CONTAINER,
  PROXY_ENV_UNCAPTURING,
  PROXY_UID,
} from "../../policy/contract";
import { AdmissionGuardrailSettings, Guardrail, cel, requesterIsPlatform } from "./guardrail";
import { POD_RESOURCE_RULES, POD_VARIABLES } from "./pod-workloads";

const NAME = "tenant-pod-security";
const msg = (what: string, fix: string) => `mesh-egress guardrail ${NAME}: ${what}. Fix: ${fix}.`;

/**
 * Pod Security baseline's host and privilege rules, which Pod Security admission cannot apply without Istio CNI
 * (the injected istio-init needs NET_ADMIN and NET_RAW): judged here either way, admitting exactly the injected
 * containers (their names and the mesh's proxy image). And what no standard knows: only the injected proxy may
 * run as Istio's UID or GID 1337, whose traffic the sidecar's capture lets through.
 */
export function podSecurityGuardrail(s: AdmissionGuardrailSettings): Guardrail {
  const injected = (c: string, names: readonly string[]) =>
    `(${c}.name in ${cel(names)} && has(${c}.image) && ${c}.image == ${cel(s.proxyImage)})`;
  // Without CNI the injector adds istio-init with NET_ADMIN and NET_RAW; with CNI nothing may hold them.
  const initMayAdd = s.cni ? "false" : injected("c", [INIT_CONTAINER]);
  const proxyIds = `[${PROXY_UID}, ${PROXY_GID}]`;
  const sc = (c: string, field: string) => `has(${c}.securityContext) && has(${c}.securityContext.${field})`;
  const startsWith = (args: readonly string[]) =>
    `has(c.args) && size(c.args) >= ${args.length} && ${args.map((a, i) => `c.args[${i}] == ${cel(a)}`).join(" && ")}`;
  const uncapturing = Object.entries(PROXY_ENV_UNCAPTURING)
    .map(([name, values]) => `(e.name == ${cel(name)} && has(e.value) && e.value in ${cel(values)})`)
    .join(" || ");
  // The shape of each injected container on a Pod; without CNI istio-init runs as root with NET_ADMIN (judged above).
  const injectedShape = [
    `has(c.image) && c.image == ${cel(s.proxyImage)} && !has(c.command) && !has(c.envFrom)`,
    ...Object.entries(INJECTED_CONTAINER_ARGS).map(
      ([name, args]) =>
        `(c.name != ${cel(name)} || (${name === INIT_CONTAINER && s.cni ? "false" : startsWith(args)}))`,
    ),
    `(c.name == ${cel(INIT_CONTAINER)} || (${sc("c", "runAsUser")} && c.securityContext.runAsUser == ${PROXY_UID} && ${sc("c", "runAsGroup")} && c.securityContext.runAsGroup == ${PROXY_GID}))`,
    `(c.name != ${cel(PROXY_CONTAINER)} || !has(c.env) || !c.env.exists(e, ${uncapturing}))`,
  ].join(" && ");
  return {
    name: NAME,
    description:
      "Tenant pods and pod templates: no host namespaces, hostPath or hostPort, nothing privileged, no capability " +
      "beyond baseline's (but the injected istio-init's), UID/GID 1337 and the injector's container names only for " +
      "the injected containers; ephemeral containers alike.",
    resourceRules: POD_RESOURCE_RULES,
    scope: "tenants",
    variables: [
      ...POD_VARIABLES,
      {
        name: "podSecurity",
        expression: "has(variables.spec.securityContext) ? variables.spec.securityContext : {}",
      },
    ],
    validations: [
      {
        expression:
          "!(has(variables.spec.hostNetwork) && variables.spec.hostNetwork) && !(has(variables.spec.hostPID) && variables.spec.hostPID) && !(has(variables.spec.hostIPC) && variables.spec.hostIPC)",
        message: msg(
          "hostNetwork, hostPID and hostIPC put a pod outside its own network namespace (no sidecar, no NetworkPolicy)",
          "remove them; a tenant pod runs in its own namespaces",
        ),
      },
      {
        expression:
          "(!has(variables.spec.volumes) || variables.spec.volumes.all(v, !has(v.hostPath))) && variables.containers.all(c, !has(c.ports) || c.ports.all(p, !has(p.hostPort) || p.hostPort == 0))",
        message: msg(
          "hostPath volumes and hostPorts reach the node itself",
          "use a PersistentVolumeClaim and a Service",
        ),
      },
      {
        expression: `variables.containers.all(c, !(${sc("c", "privileged")} && c.securityContext.privileged))`,
        message: msg(
          "a privileged container can rewrite the pod's iptables and leave the mesh",
          "remove privileged: true",
        ),
      },
      {
        expression: `variables.containers.all(c, !(${sc("c", "capabilities")} && has(c.securityContext.capabilities.add)) || c.securityContext.capabilities.add.all(cap, cap in ${cel(BASELINE_CAPABILITIES)} || (cap in ${cel(INIT_CAPABILITIES)} && ${initMayAdd})))`,
        message: msg(
          `a container adds a capability beyond baseline's (${BASELINE_CAPABILITIES.join(", ")}); NET_ADMIN and NET_RAW flush the sidecar's capture and are for the injected ${INIT_CONTAINER} alone${s.cni ? ", which Istio CNI replaces" : ""}`,
          "drop the capability",
        ),
      },
      {
        expression:
          `!(has(variables.podSecurity.runAsUser) && variables.podSecurity.runAsUser in ${proxyIds}) && !(has(variables.podSecurity.runAsGroup) && variables.podSecurity.runAsGroup in ${proxyIds}) && ` +
          `!(has(variables.podSecurity.fsGroup) && variables.podSecurity.fsGroup in ${proxyIds}) && !(has(variables.podSecurity.supplementalGroups) && variables.podSecurity.supplementalGroups.exists(g, g in ${proxyIds})) && ` +
          `variables.containers.all(c, ${injected("c", PROXY_IDENTITY_CONTAINERS)} || (!(${sc("c", "runAsUser")} && c.securityContext.runAsUser in ${proxyIds}) && !(${sc("c", "runAsGroup")} && c.securityContext.runAsGroup in ${proxyIds})))`,
        message: msg(
          `UID and GID ${PROXY_UID} are the Istio proxy's: the sidecar's capture lets their traffic out untouched, so only the injected ${PROXY_IDENTITY_CONTAINERS.join(" and ")} may run as them (pod runAsUser, runAsGroup, fsGroup and supplementalGroups included)`,
          "run the app as another UID and GID",
        ),
      },
      {
        expression:
          `object.kind == 'Pod' ? variables.containers.all(c, !(c.name in ${cel(INJECTED_CONTAINER_NAMES)}) || ${injected("c", INJECTED_CONTAINER_NAMES)}) && ` +
          `(!has(variables.spec.ephemeralContainers) || variables.spec.ephemeralContainers.all(c, !(c.name in ${cel(INJECTED_CONTAINER_NAMES)}))) : ` +
          `variables.containers.all(c, !(c.name in ${cel(INJECTED_CONTAINER_NAMES)}))`,
        message: msg(
          `containers named ${INJECTED_CONTAINER_NAMES.join(", ")} are the injector's: in a template they override the injected ones, and on a pod they must run the mesh's proxy image (${s.proxyImage})`,
          "rename the container",
        ),
      },
      {
        // On a Pod the CNI plugin reads these containers to set up the capture: they must be exactly what the injector writes.
        expression: `object.kind != 'Pod' || variables.containers.all(c, !(c.name in ${cel(INJECTED_CONTAINER_NAMES)}) || (${injectedShape}))`,
        message: msg(
          `on a Pod the injector's containers run as it writes them: ${s.cni ? `no ${INIT_CONTAINER} (with Istio CNI the CNI plugin skips a pod holding one), ` : ""}the proxy image, no command or envFrom, args starting ${Object.entries(
            INJECTED_CONTAINER_ARGS,
          )
            .map(([name, args]) => `${args.join(" ")} (${name})`)
            .join(
              ", ",
            )}, ${PROXY_CONTAINER} and its peers as UID and GID ${PROXY_UID} (the CNI plugin exempts whatever UID ${PROXY_CONTAINER} runs as), and no ${Object.keys(PROXY_ENV_UNCAPTURING).join(" or ")} that skips or narrows the capture`,
          `remove the containers of the injector's names from the pod spec (and the ${INJECTION_STATUS_ANNOTATION} annotation) and let the injector add them`,
        ),
      },
    ],
  };
}

/**
 * The injected containers run as UID/GID 1337, whose traffic the capture lets out untouched: a tenant's exec or
 * attach into one (kubectl exec -c istio-proxy, kubectl cp) runs its own program uncaptured. Only the platform's
 * identities (and cluster admins) may; the tenant debugs the proxy through istioctl or an ephemeral container.
 */
export function proxyExecGuardrail(s: AdmissionGuardrailSettings): Guardrail {
  const name = "tenant-proxy-exec";
  return {
    name,
    description: `No exec or attach into the injected containers (${INJECTED_CONTAINER_NAMES.join(", ")}) of tenant pods but by the platform's identities.`,
    resourceRules: [{ apiGroups: [""], resources: ["pods/exec", "pods/attach"] }],
    operations: ["CONNECT"],
    scope: "tenants",
    validations: [
      {
        expression: `${requesterIsPlatform(s.platformIdentities)} || !has(object.container) || !(object.container in ${cel(INJECTED_CONTAINER_NAMES)})`,
        message: `mesh-egress guardrail ${name}: ${INJECTED_CONTAINER_NAMES.join(", ")} run as UID ${PROXY_UID}, whose traffic the sidecar's capture lets through: a program started in them reaches the network uncaptured. Fix: exec into your app container, read the proxy through istioctl (proxy-config, proxy-status), or ask the platform team.`,
      },
    ],
  };
}
