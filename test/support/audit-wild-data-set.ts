/**
 * The audit's data set from the wild: one class of what issue 22 found per group (a one-off bypass, a batch
 * job's single burst, a single 403, local replies, refused TLS, an upstream failure, break-glass traffic
 * across a grant's expiry, another cluster in the same Prometheus), each series in Istio 1.30's exact label
 * shape, and the dev stack's break-glass entries that go with it. Backfilled with promtool by the tests.
 */
import type { BackfillSeries } from "./prometheus-server";

const MINUTE = 60_000;
/** Data ends 10 minutes before the test starts; the audit's --now is 5 minutes after the data's end. */
export const END = new Date(Math.floor((Date.now() - 10 * MINUTE) / MINUTE) * MINUTE);
export const minutesBefore = (minutes: number) => new Date(END.getTime() - minutes * MINUTE);
export const rfc3339 = (date: Date) => date.toISOString().replace(/\.000Z$/, "Z");
export const NOW = rfc3339(new Date(END.getTime() + 5 * MINUTE));

/** One sample a minute from `fromMinutes` to `toMinutes` before END, starting at `first` and rising by `perMinute`. */
function series(
  name: string,
  labels: Record<string, string>,
  { fromMinutes = 180, toMinutes = 0, first = 0, perMinute = 0 } = {},
): BackfillSeries {
  const samples: [Date, number][] = [];
  for (let m = fromMinutes, v = first; m >= toMinutes; m--, v += perMinute)
    samples.push([minutesBefore(m), v]);
  return { name, labels, samples };
}

/**
 * Every label Istio 1.30's stats filter puts on a gateway series (reporter="source"), plus what a
 * shared Prometheus adds: the scrape target's namespace and pod, and the cluster it came from.
 */
function atGateway(tenant: string, service: string, extra: Record<string, string> = {}) {
  return {
    cluster: "dev-eu",
    connection_security_policy: "unknown",
    destination_app: "unknown",
    destination_canonical_revision: "latest",
    destination_canonical_service: service,
    destination_cluster: "unknown",
    destination_principal: "unknown",
    destination_service: service,
    destination_service_name: service,
    destination_service_namespace: "istio-egress",
    destination_version: "unknown",
    destination_workload: "unknown",
    destination_workload_namespace: "unknown",
    reporter: "source",
    request_protocol: "http",
    response_code: "200",
    response_flags: "-",
    source_app: "istio-egressgateway",
    source_canonical_revision: "latest",
    source_canonical_service: "istio-egressgateway",
    source_cluster: "Kubernetes",
    source_principal: `spiffe://cluster.local/ns/${tenant}/sa/default`,
    source_version: "unknown",
    source_workload: "istio-egressgateway",
    source_workload_namespace: "istio-egress",
    namespace: "istio-egress",
    pod: "istio-egressgateway-5c9d8-abcde",
    ...extra,
  };
}
const tcp = { request_protocol: "tcp", response_code: "0", connection_security_policy: "mutual_tls" };

/** A tenant sidecar's series for a host no ServiceEntry registers (ALLOW_ANY mesh: PassthroughCluster). */
const atSidecar = (tenant: string, host: string) => ({
  cluster: "dev-eu",
  reporter: "source",
  request_protocol: "http",
  response_code: "200",
  response_flags: "-",
  source_workload: "web",
  source_workload_namespace: tenant,
  source_principal: `spiffe://cluster.local/ns/${tenant}/sa/web`,
  destination_service: host,
  destination_service_name: "PassthroughCluster",
  destination_service_namespace: "unknown",
  destination_workload: "unknown",
  namespace: tenant,
  pod: `web-7f-${tenant}`,
});

/** The data set: one class of what the issue found per group, each in Istio's exact label shape. */
export const SERIES: BackfillSeries[] = [
  // One-off bypass: a single HTTP request through PassthroughCluster; the counter appears at 1 and stays.
  series("istio_requests_total", atSidecar("storefront", "paste.example.net"), {
    fromMinutes: 100,
    first: 1,
  }),
  // Nightly batch: 40 requests in one burst, the counter created at 40 and flat since.
  series("istio_requests_total", atGateway("settlement", "rates.fx-legacy.com"), {
    fromMinutes: 90,
    first: 40,
  }),
  // A single 403 at the gateway.
  series("istio_requests_total", atGateway("storefront", "api.openai.com", { response_code: "403" }), {
    fromMinutes: 50,
    first: 1,
  }),
  // Local replies: no route for the host (NR, destination "unknown"); Istio still records request bytes.
  ...["istio_requests_total", "istio_request_bytes_sum"].map((name, i) =>
    series(name, atGateway("payments", "unknown", { response_code: "404", response_flags: "NR" }), {
      perMinute: i === 0 ? 2 : 500,
    }),
  ),
  // Refused TLS: connections the gateway's listener matched to no SNI, with the bytes the caller sent.
  ...["istio_tcp_connections_opened_total", "istio_tcp_received_bytes_total"].map((name, i) =>
    series(name, atGateway("storefront", "unknown", { ...tcp, response_flags: "NR" }), {
      perMinute: i === 0 ? 1 : 300,
    }),
  ),
  // Upstream connect failure (UF, 503) to a granted host: refused by nobody, yet nothing left.
  series(
    "istio_request_bytes_sum",
    atGateway("assistant", "api.openai.com", { response_code: "503", response_flags: "UF" }),
    {
      perMinute: 1000,
    },
  ),
  // Break-glass grant storefront → openai: in force from 120 to 60 minutes before END; traffic runs on past it.
  ...["istio_requests_total", "istio_request_bytes_sum"].map((name, i) =>
    series(name, atGateway("storefront", "api.openai.com"), {
      fromMinutes: 110,
      perMinute: i === 0 ? 3 : 700,
    }),
  ),
  // Break-glass destination grant assistant → status.vendor.example (not in the registry): expired 10 minutes before END.
  ...["istio_tcp_connections_opened_total", "istio_tcp_received_bytes_total"].map((name, i) =>
    series(name, atGateway("assistant", "status.vendor.example", tcp), {
      fromMinutes: 25,
      perMinute: i === 0 ? 2 : 900,
    }),
  ),
  // Another cluster in the same Prometheus: its undeclared traffic is not this stack's.
  series(
    "istio_tcp_connections_opened_total",
    atGateway("storefront", "exfil.example.org", { ...tcp, cluster: "dev-us" }),
    {
      perMinute: 5,
    },
  ),
];

/** The dev stack with a grant that expired an hour before the data's end and a destination grant 10 minutes before it. */
export const BREAK_GLASS = `
  mesh-egress:breakGlassMaxHours: 1
  mesh-egress:breakGlass:
    - id: openai-for-storefront
      reason: support chat pilot
      ticket: CHG-88
      approvedBy: platform-lead@example.com
      expiresAt: "${rfc3339(minutesBefore(60))}"
      scope: {grant: {tenant: storefront, service: openai}}
    - id: vendor-status
      reason: vendor status page during incident
      ticket: INC-9
      approvedBy: oncall-lead@example.com
      expiresAt: "${rfc3339(minutesBefore(10))}"
      scope: {grant: {tenant: assistant, destination: {host: status.vendor.example, port: 443, mode: passthrough-mtls}}}
`;
