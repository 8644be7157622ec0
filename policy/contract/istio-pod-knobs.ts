/**
 * The Istio pod knobs a tenant may set: a positive list. On a pod or pod template in a tenant namespace,
 * every label and annotation key in an Istio domain (`istio.io`, or one ending in `.istio.io`: sidecar.,
 * traffic.sidecar., proxy., inject., ambient., status.sidecar., …) is refused unless it is listed here and
 * its value matches the pattern. Read from Istio 1.30.3's `annotation/annotations.yaml`, `label/labels.yaml`
 * and the injection template. Patterns are RE2 (CEL's `matches`) and JavaScript alike, anchored.
 */
import { CAPTURE_ALL_OUTBOUND, INCLUDE_OUTBOUND_RANGES_ANNOTATION, INJECTION_KEY } from "./istio-proxy";

export interface IstioPodKnob {
  /** The label or annotation key. */
  readonly key: string;
  /** Anchored RE2 pattern the value must match. */
  readonly pattern: string;
  /** Why a tenant may set it: what it changes and why egress does not care. */
  readonly why: string;
  /** Only on Pods, where the injector writes it: on a template it would make the injector skip the pod. */
  readonly podOnly?: boolean;
}

/** Whether a label or annotation key belongs to Istio: its prefix is `istio.io` or ends in `.istio.io`. */
export function isIstioKey(key: string): boolean {
  const slash = key.indexOf("/");
  if (slash < 0) return false;
  const domain = key.slice(0, slash).toLowerCase();
  return domain === "istio.io" || domain.endsWith(".istio.io");
}

const QUANTITY = "^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$";
const PORTS = "^[0-9]{1,5}(,[0-9]{1,5})*$";
const PORTS_OR_ALL = "^(\\*|[0-9]{1,5}(,[0-9]{1,5})*)?$";
const LEVEL = "(trace|debug|info|warning|warn|error|critical|off)";
const BOOLEAN = "^(true|false)$";
const LABEL_VALUE = "^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$";
/**
 * ProxyConfig fields a tenant may set through `proxy.istio.io/config`, one `field: scalar` per line or in
 * flow style; anything else (interceptionMode, proxyMetadata, …) refuses the whole annotation.
 */
export const TENANT_PROXY_CONFIG_FIELDS: readonly string[] = [
  "holdApplicationUntilProxyStarts",
  "terminationDrainDuration",
  "concurrency",
];
/**
 * The spec fields a tenant ProxyConfig object (networking.istio.io) may set. Its CRD also has environmentVariables
 * (the proxy's env, read by the CNI plugin and the agent: DISABLE_ENVOY, ISTIO_DUAL_STACK, …) and image (another
 * proxy image); any other field is pruned by the API server.
 */
export const TENANT_PROXY_CONFIG_SPEC_FIELDS: readonly string[] = ["selector", "concurrency"];
const PROXY_CONFIG_ENTRY = `[ \\t]*"?(${TENANT_PROXY_CONFIG_FIELDS.join("|")})"?[ \\t]*:[ \\t]*"?[A-Za-z0-9.]+"?[ \\t]*`;
const PROXY_CONFIG = `^\\s*\\{?\\s*${PROXY_CONFIG_ENTRY}([,\\n]\\s*${PROXY_CONFIG_ENTRY})*,?\\s*\\}?\\s*$`;

export const TENANT_POD_KNOBS: readonly IstioPodKnob[] = [
  {
    key: INJECTION_KEY,
    pattern: "^true$",
    why: "asks for the sidecar; the only value every Istio reads as on",
  },
  { key: "sidecar.istio.io/proxyCPU", pattern: QUANTITY, why: "the proxy's CPU request" },
  { key: "sidecar.istio.io/proxyCPULimit", pattern: QUANTITY, why: "the proxy's CPU limit" },
  { key: "sidecar.istio.io/proxyMemory", pattern: QUANTITY, why: "the proxy's memory request" },
  { key: "sidecar.istio.io/proxyMemoryLimit", pattern: QUANTITY, why: "the proxy's memory limit" },
  { key: "sidecar.istio.io/logLevel", pattern: `^${LEVEL}$`, why: "Envoy's log level" },
  {
    key: "sidecar.istio.io/componentLogLevel",
    pattern: `^[a-z_]+:${LEVEL}(,[a-z_]+:${LEVEL})*$`,
    why: "Envoy's per-component log levels",
  },
  {
    key: "sidecar.istio.io/agentLogLevel",
    pattern: "^[a-z_]+:[a-z]+(,[a-z_]+:[a-z]+)*$",
    why: "pilot-agent's log levels",
  },
  {
    key: "sidecar.istio.io/rewriteAppHTTPProbers",
    pattern: BOOLEAN,
    why: "probes through the agent, inbound only",
  },
  {
    key: "sidecar.istio.io/nativeSidecar",
    pattern: BOOLEAN,
    why: "the proxy as a native sidecar; still injected",
  },
  { key: "traffic.sidecar.istio.io/excludeInboundPorts", pattern: PORTS_OR_ALL, why: "inbound capture only" },
  { key: "traffic.sidecar.istio.io/includeInboundPorts", pattern: PORTS_OR_ALL, why: "inbound capture only" },
  {
    key: "traffic.sidecar.istio.io/includeOutboundPorts",
    pattern: PORTS_OR_ALL,
    why: "captures more, never less",
  },
  {
    key: INCLUDE_OUTBOUND_RANGES_ANNOTATION,
    pattern: `^\\${CAPTURE_ALL_OUTBOUND}$`,
    why: "every outbound range captured: what the injector writes with Istio CNI",
  },
  {
    key: "sidecar.istio.io/interceptionMode",
    pattern: "^REDIRECT$",
    why: "captures all outbound traffic (NONE captures none; TPROXY needs NET_ADMIN on the proxy); the injector writes it with CNI",
  },
  {
    key: "proxy.istio.io/config",
    pattern: PROXY_CONFIG,
    why: `only ${TENANT_PROXY_CONFIG_FIELDS.join(", ")}: start-up order, drain time and worker threads`,
  },
  {
    key: "readiness.status.sidecar.istio.io/initialDelaySeconds",
    pattern: "^[0-9]+$",
    why: "proxy readiness probe",
  },
  {
    key: "readiness.status.sidecar.istio.io/periodSeconds",
    pattern: "^[0-9]+$",
    why: "proxy readiness probe",
  },
  {
    key: "readiness.status.sidecar.istio.io/failureThreshold",
    pattern: "^[0-9]+$",
    why: "proxy readiness probe",
  },
  {
    key: "readiness.status.sidecar.istio.io/applicationPorts",
    pattern: `^(${PORTS.slice(1, -1)})?$`,
    why: "readiness ports",
  },
  { key: "service.istio.io/canonical-name", pattern: LABEL_VALUE, why: "the workload's name in telemetry" },
  {
    key: "service.istio.io/canonical-revision",
    pattern: LABEL_VALUE,
    why: "the workload's version in telemetry",
  },
  {
    key: "security.istio.io/tlsMode",
    pattern: "^istio$",
    why: "the injector's mark that the pod takes mTLS",
  },
  { key: "networking.istio.io/tunnel", pattern: "^http$", why: "the injector's HBONE mark" },
  {
    key: "sidecar.istio.io/status",
    pattern: "^\\{.*\\}$",
    why: "the injector's record of what it injected",
    podOnly: true,
  },
];

/** A tenant knob by key. */
export const TENANT_POD_KNOB_BY_KEY: ReadonlyMap<string, IstioPodKnob> = new Map(
  TENANT_POD_KNOBS.map((knob) => [knob.key, knob]),
);
