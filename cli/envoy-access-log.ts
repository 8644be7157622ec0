/**
 * One Envoy access log line as Istio's proxies write it and `kubectl logs` prints it, read into the few
 * fields discover needs. Three encodings: Istio's default TEXT format (EnvoyTextLogFormat in
 * pilot/pkg/model/telemetry_logging.go, Istio 1.30.3), its default JSON encoding (EnvoyJSONLogFormatIstio,
 * same file), and this project's gateway provider (components/gateway-access-log.ts ACCESS_LOG_FIELDS).
 */

export interface AccessLogRecord {
  readonly startTime?: string;
  readonly method?: string;
  readonly path?: string;
  readonly protocol?: string;
  readonly userAgent?: string;
  readonly authority?: string;
  readonly upstreamHost?: string;
  readonly upstreamCluster?: string;
  /** For a sidecar's outbound traffic, the address the app dialled (the original destination). */
  readonly downstreamLocalAddress?: string;
  readonly sni?: string;
  /** The caller's SPIFFE ID, when the format records it (this project's gateway provider). */
  readonly callerIdentity?: string;
}

/** The order of the fields in Istio's default TEXT format, after `[START_TIME]`; `-` means empty. */
const TEXT_FIELDS = [
  "request", // "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%"
  "responseCode",
  "responseFlags",
  "responseCodeDetails",
  "connectionTerminationDetails",
  "upstreamTransportFailureReason",
  "bytesReceived",
  "bytesSent",
  "duration",
  "upstreamServiceTime",
  "forwardedFor",
  "userAgent",
  "requestId",
  "authority",
  "upstreamHost",
  "upstreamCluster",
  "upstreamLocalAddress",
  "downstreamLocalAddress",
  "downstreamRemoteAddress",
  "sni",
  "routeName",
] as const;

/** Envoy writes `-` for an empty value in both encodings. */
const value = (v: unknown): string | undefined =>
  typeof v === "string" && v !== "-" && v !== "" ? v : typeof v === "number" ? String(v) : undefined;

/**
 * What `kubectl logs` may put before the line: `--prefix` (`[pod/name/container] `) and `--timestamps`
 * (an RFC 3339 time and a space). Both are removed; the rest is Envoy's.
 */
const KUBECTL_PREFIX = /^(\[pod\/[^\]\s]+\] )?(\d{4}-\d\d-\d\dT[0-9:.]+(Z|[+-]\d\d:\d\d) )?/;

/** Splits the TEXT format: `[...]` and `"..."` are one token each (quotes inside are `\"`-free in Envoy's output). */
const TOKEN = /\[[^\]]*\]|"[^"]*"|\S+/g;

function fromText(line: string): AccessLogRecord | undefined {
  const tokens = line.match(TOKEN);
  if (!tokens || tokens.length < TEXT_FIELDS.length + 1) return undefined;
  const [start, ...rest] = tokens;
  if (!start?.startsWith("[")) return undefined;
  const field = (name: (typeof TEXT_FIELDS)[number]): string | undefined => {
    const token = rest[TEXT_FIELDS.indexOf(name)];
    return value(token?.startsWith('"') ? token.slice(1, -1) : token);
  };
  const [method, path, protocol] = (field("request") ?? "").split(" ");
  const record: Record<string, string | undefined> = {
    startTime: start.slice(1, -1),
    method: value(method),
    path: value(path),
    protocol: value(protocol),
    userAgent: field("userAgent"),
    authority: field("authority"),
    upstreamHost: field("upstreamHost"),
    upstreamCluster: field("upstreamCluster"),
    downstreamLocalAddress: field("downstreamLocalAddress"),
    sni: field("sni"),
  };
  return defined(record);
}

function fromJson(line: string): AccessLogRecord | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined;
  const o = parsed as Record<string, unknown>;
  // Istio's default JSON keys, else this project's provider's (sni, caller_identity, source_address).
  const record: Record<string, string | undefined> = {
    startTime: value(o.start_time),
    method: value(o.method),
    path: value(o.path),
    protocol: value(o.protocol),
    userAgent: value(o.user_agent),
    authority: value(o.authority),
    upstreamHost: value(o.upstream_host),
    upstreamCluster: value(o.upstream_cluster),
    downstreamLocalAddress: value(o.downstream_local_address),
    sni: value(o.requested_server_name) ?? value(o.sni),
    callerIdentity: value(o.caller_identity),
  };
  if (record.startTime === undefined) return undefined;
  return defined(record);
}

function defined(record: Record<string, string | undefined>): AccessLogRecord {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as AccessLogRecord;
}

/** The record of one line, or undefined when it is not an Envoy access log line in a known encoding. */
export function parseAccessLogLine(raw: string): AccessLogRecord | undefined {
  const line = raw.replace(KUBECTL_PREFIX, "").trim();
  if (line.startsWith("{")) return fromJson(line);
  if (line.startsWith("[")) return fromText(line);
  return undefined;
}
