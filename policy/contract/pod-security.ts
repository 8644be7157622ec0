/**
 * Kubernetes' Pod Security Standards as mesh-egress uses them: tenant namespaces carry the enforce label
 * when the mesh runs Istio CNI (without it the injected istio-init needs NET_ADMIN and NET_RAW, which
 * baseline refuses); a stack may raise a tenant to restricted.
 */
export const POD_SECURITY_ENFORCE_LABEL = "pod-security.kubernetes.io/enforce";
export const POD_SECURITY_LEVELS = ["baseline", "restricted"] as const;
export type PodSecurityLevel = (typeof POD_SECURITY_LEVELS)[number];
/** The level every tenant namespace gets unless its stack raises it. */
export const DEFAULT_TENANT_POD_SECURITY: PodSecurityLevel = "baseline";
/** Every `pod-security.kubernetes.io/` label is the platform's: a tenant lowering one lowers the standard. */
export const POD_SECURITY_LABEL_PREFIX = "pod-security.kubernetes.io/";

/** The capabilities baseline lets a container add (Pod Security Standards, "Capabilities"): nothing that touches the network stack. */
export const BASELINE_CAPABILITIES: readonly string[] = [
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "MKNOD",
  "NET_BIND_SERVICE",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
];
