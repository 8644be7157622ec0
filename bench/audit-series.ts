/**
 * Thirty days of gateway series for the audit's query-cost bench, as OpenMetrics for `promtool tsdb
 * create-blocks-from openmetrics`: the raw Istio counters of every granted tenant × host on each gateway
 * replica, and beside them the audit records the rules would have written from them (what each
 * tenant × host added in each evaluation interval, nothing for an interval that added nothing).
 *
 * Time is scaled by SCALE so the raw samples fit a bench: a scrape every 30 s × SCALE, an evaluation every
 * 1 m × SCALE. Both sides shrink by the same factor, so their ratio holds; production has SCALE times the
 * samples of each. The records' heartbeat is written every real minute, so `audit` reads them as covering
 * the window. That the rules compute these records is test/audit-recorded-data.test.ts's proof, not this file's.
 */
import * as fs from "fs";
import { openMetricsSeries } from "../test/support/prometheus-server";
import { AUDIT_RECORDS, AUDIT_RECORDS_EVALUATED, AUDIT_RECORDS_VERSION } from "../components/audit-records";
import type { GatewayWorkload } from "../components/egress-metrics";
import type { EgressConfig } from "../stacks/model/egress-config";
import { allowedServices } from "../stacks/relations/grants";
import { originatesTls } from "../stacks/routing-modes";

export const SCALE = 80;
export const SCRAPE_MS = 30_000 * SCALE;
export const EVALUATION_MS = 60_000 * SCALE;
export const WINDOW_MS = 30 * 86_400_000;
/** Gateway replicas: every tenant × host's counters exist once per replica that served it. */
const REPLICAS = 3;

/** How often a tenant × host moved traffic: every scrape, one evaluation interval in 30, or once. */
type Activity = "continuous" | "sparse" | "one-off";
const activityOf = (i: number): Activity => (["continuous", "sparse", "sparse", "one-off"] as const)[i % 4];

export interface AuditSeriesSummary {
  readonly pairs: number;
  readonly rawSeries: number;
  readonly rawSamples: number;
  readonly recordSeries: number;
  readonly recordSamples: number;
  readonly bytes: number;
}

/** One counter's events: per replica, scrape index → events at that scrape. */
type Events = Map<number, number>[];

class OpenMetricsWriter {
  private readonly fd: number;
  private buffer: string[] = [];
  private size = 0;
  bytes = 0;
  constructor(file: string) {
    this.fd = fs.openSync(file, "w");
  }
  line(text: string): void {
    this.buffer.push(text);
    this.size += text.length + 1;
    if (this.size > 4 << 20) this.flush();
  }
  flush(): void {
    const chunk = `${this.buffer.join("\n")}\n`;
    fs.writeSync(this.fd, chunk);
    this.bytes += chunk.length;
    this.buffer = [];
    this.size = 0;
  }
  close(): void {
    this.line("# EOF");
    this.flush();
    fs.closeSync(this.fd);
  }
}

/**
 * Writes the data set ending at `endMs` (aligned to an evaluation) to `file`: raw counters from two hours
 * before the window, records and heartbeat over it. Returns what it wrote.
 */
export function writeAuditSeries(config: EgressConfig, endMs: number, file: string): AuditSeriesSummary {
  const out = new OpenMetricsWriter(file);
  const fromMs = endMs - WINDOW_MS - 2 * 3_600_000;
  const scrapes = Math.floor((endMs - fromMs) / SCRAPE_MS);
  const scrapeTime = (j: number) => fromMs + j * SCRAPE_MS;
  // The evaluation that records a scrape: the first at or after it.
  const evaluationOf = (j: number) =>
    Math.ceil((scrapeTime(j) - endMs) / EVALUATION_MS) * EVALUATION_MS + endMs;
  const gateway: GatewayWorkload = config.gateway;
  let rawSeries = 0;
  let rawSamples = 0;
  let recordSeries = 0;
  let recordSamples = 0;

  /** A counter's series on each replica that saw an event, sampled at every scrape from its first event on. */
  function counter(name: string, labels: Record<string, string>, events: Events, perEvent: number): void {
    events.forEach((byScrape, replica) => {
      if (byScrape.size === 0) return;
      const first = Math.min(...byScrape.keys());
      const series = openMetricsSeries(name, { ...labels, pod: `${gateway.releaseName}-${replica}` });
      let value = 0;
      for (let j = first; j <= scrapes; j++) {
        value += (byScrape.get(j) ?? 0) * perEvent;
        out.line(`${series} ${value} ${scrapeTime(j) / 1000}`);
        rawSamples++;
      }
      rawSeries++;
    });
  }
  /** A record: the events of all replicas, summed per evaluation that saw any (inside the window). */
  function record(name: string, labels: Record<string, string>, events: Events, perEvent: number): void {
    const byEvaluation = new Map<number, number>();
    for (const byScrape of events)
      for (const [j, n] of byScrape)
        byEvaluation.set(evaluationOf(j), (byEvaluation.get(evaluationOf(j)) ?? 0) + n * perEvent);
    const series = openMetricsSeries(name, labels);
    const times = [...byEvaluation.keys()]
      .filter((t) => t > endMs - WINDOW_MS && t <= endMs)
      .sort((a, b) => a - b);
    for (const t of times) out.line(`${series} ${byEvaluation.get(t)} ${t / 1000}`);
    recordSamples += times.length;
    if (times.length > 0) recordSeries++;
  }
  /** Events by activity: every scrape on every replica, one evaluation in 30 on one, or one scrape in the window. */
  function events(activity: Activity, seed: number, perScrape: number): Events {
    const byReplica: Events = Array.from({ length: REPLICAS }, () => new Map());
    const perEvaluation = EVALUATION_MS / SCRAPE_MS;
    for (let j = 0; j <= scrapes; j++) {
      const evaluation = Math.floor(j / perEvaluation);
      if (activity === "continuous") byReplica.forEach((m) => m.set(j, perScrape));
      else if (activity === "sparse" && (evaluation + seed) % 30 === 0 && j % perEvaluation === 0)
        byReplica[evaluation % REPLICAS].set(j, perScrape);
      else if (activity === "one-off" && j === ((seed * 7919) % (scrapes - 10)) + 10)
        byReplica[seed % REPLICAS].set(j, perScrape);
    }
    return byReplica;
  }

  const atGateway = (tenant: string, host: string, extra: Record<string, string>) => ({
    reporter: "source",
    source_workload: gateway.releaseName,
    source_workload_namespace: gateway.namespace,
    source_principal: `spiffe://cluster.local/ns/${tenant}/sa/default`,
    destination_service_name: host,
    ...extra,
  });
  let pairs = 0;
  for (const tenant of config.tenants) {
    for (const service of allowedServices(tenant, config)) {
      const host = service.hosts[0];
      // The gateway sees HTTP where it originates TLS: requests and request bytes, not connections.
      const http = originatesTls(service);
      const seen = events(activityOf(pairs), pairs, 1 + (pairs % 5));
      const forwarded = atGateway(tenant.namespace, host, {
        response_code: http ? "200" : "0",
        response_flags: "-",
      });
      const key = { tenant: tenant.namespace, destination_service_name: host };
      counter(http ? "istio_requests_total" : "istio_tcp_connections_opened_total", forwarded, seen, 1);
      counter(
        http ? "istio_request_bytes_sum" : "istio_tcp_received_bytes_total",
        forwarded,
        seen,
        1000 + pairs,
      );
      record(http ? AUDIT_RECORDS.requests : AUDIT_RECORDS.connections, key, seen, 1);
      record(AUDIT_RECORDS.egressBytes, key, seen, 1000 + pairs);
      pairs++;
    }
    // Each tenant is refused now and then: a 403, and a local reply for a host the gateway has no route to.
    const seed = pairs + tenant.namespace.length;
    const forbidden = events("sparse", seed, 1);
    counter(
      "istio_requests_total",
      atGateway(tenant.namespace, "api-0.example.com", { response_code: "403", response_flags: "-" }),
      forbidden,
      1,
    );
    record(
      AUDIT_RECORDS.denials,
      { tenant: tenant.namespace, destination_service_name: "api-0.example.com" },
      forbidden,
      1,
    );
    const refused = events("sparse", seed + 11, 2);
    const noRoute = atGateway(tenant.namespace, "unknown", { response_code: "404", response_flags: "NR" });
    counter("istio_requests_total", noRoute, refused, 1);
    counter("istio_request_bytes_sum", noRoute, refused, 500);
    record(
      AUDIT_RECORDS.refusedRequests,
      { tenant: tenant.namespace, destination_service_name: "unknown", response_flags: "NR" },
      refused,
      1,
    );
  }
  // The heartbeat, every real minute: the audit reads the records only for a window they cover.
  const heartbeat = `${AUDIT_RECORDS_EVALUATED}{version="${AUDIT_RECORDS_VERSION}"}`;
  for (let t = endMs - WINDOW_MS - 5 * 60_000; t <= endMs; t += 60_000)
    out.line(`${heartbeat} 1 ${t / 1000}`);
  out.close();
  return { pairs, rawSeries, rawSamples, recordSeries, recordSamples, bytes: out.bytes };
}
