import { strict as assert } from "assert";
import * as http from "http";
import type { EgressAudit } from "../cli/egress-audit";
import { PrometheusClient, PrometheusError } from "../cli/prometheus-client";
import { dashboardQueries, observabilityInputs } from "../components/observability";
import { describeWithPrometheusTools } from "./support/prometheus-tools";
import {
  BackfillSeries,
  freeLoopbackPort,
  RunningPrometheus,
  startPrometheus,
  stopPrometheus,
} from "./support/prometheus-server";
import { runCli } from "./support/run-cli";
import { projectStack } from "./support/stacks";

const MINUTE = 60_000;
/** Data ends 10 minutes before the test starts, so a 5-minute window is empty. */
const END = new Date(Math.floor((Date.now() - 10 * MINUTE) / MINUTE) * MINUTE);
const minutesBeforeEnd = (m: number) => new Date(END.getTime() - m * MINUTE);

/** A counter rising by `perMinute` each minute from `fromMinutes` to `toMinutes` before END. */
function counter(
  name: string,
  labels: Record<string, string>,
  perMinute: number,
  fromMinutes = 180,
  toMinutes = 0,
): BackfillSeries {
  const samples: [Date, number][] = [];
  for (let m = fromMinutes, v = 0; m >= toMinutes; m--, v += perMinute)
    samples.push([minutesBeforeEnd(m), v]);
  return { name, labels, samples };
}

/** What Istio 1.30 reports at the dev stack's gateway (reporter="source", caller in source_principal). */
const gateway = (tenant: string | undefined, host: string, extra: Record<string, string> = {}) => ({
  reporter: "source",
  source_workload: "istio-egressgateway",
  source_workload_namespace: "istio-egress",
  source_principal: tenant ? `spiffe://cluster.local/ns/${tenant}/sa/default` : "unknown",
  destination_service_name: host,
  destination_service_namespace: "istio-egress",
  namespace: "istio-egress",
  pod: "istio-egressgateway-5c9d8-abcde",
  ...extra,
});
/** What a tenant's sidecar reports for a host no ServiceEntry registers. */
const sidecar = (tenant: string, cluster: string, extra: Record<string, string> = {}) => ({
  reporter: "source",
  source_workload: "web",
  source_workload_namespace: tenant,
  destination_service_name: cluster,
  namespace: tenant,
  pod: `web-7f-${tenant}`,
  ...extra,
});
const tlsCluster = "outbound|443||sandbox.api.clearing-partner.net";

const SERIES: BackfillSeries[] = [
  // payments uses its stripe grant (passthrough-mtls: TCP series only).
  counter("istio_tcp_connections_opened_total", gateway("payments", "api.stripe.com"), 4),
  counter("istio_tcp_received_bytes_total", gateway("payments", "api.stripe.com"), 20_000),
  // assistant uses openai (originate: HTTP series).
  counter("istio_requests_total", gateway("assistant", "api.openai.com", { response_code: "200" }), 30),
  counter(
    "istio_request_bytes_sum",
    gateway("assistant", "api.openai.com", { response_code: "200" }),
    90_000,
  ),
  // settlement is denied at the gateway for a host it holds no grant for.
  counter("istio_requests_total", gateway("settlement", "api.openai.com", { response_code: "403" }), 2),
  // Identity-less passthrough traffic to the identity provider.
  counter("istio_tcp_connections_opened_total", gateway(undefined, "acme-dev.eu.auth0.com"), 3),
  counter("istio_tcp_received_bytes_total", gateway(undefined, "acme-dev.eu.auth0.com"), 5_000),
  // storefront probes: black-holed all along, and (early on, while the mesh was ALLOW_ANY) passed through.
  counter("istio_tcp_connections_opened_total", sidecar("storefront", "BlackHoleCluster"), 1),
  counter("istio_requests_total", sidecar("storefront", "BlackHoleCluster", { response_code: "502" }), 1),
  counter(
    "istio_requests_total",
    sidecar("storefront", "PassthroughCluster", { response_code: "200" }),
    5,
    180,
    120,
  ),
  // The gateway fails TLS to the partner sandbox.
  ...["connection_error", "fail_verify_error", "fail_verify_san", "fail_verify_no_cert"].map((c) =>
    counter(
      `envoy_cluster_ssl_${c}`,
      { namespace: "istio-egress", pod: "istio-egressgateway-5c9d8-abcde", cluster_name: tlsCluster },
      1,
    ),
  ),
];

function assertNear(actual: number, expected: number): void {
  assert.ok(Math.abs(actual - expected) <= expected * 0.01, `${actual} is not within 1% of ${expected}`);
}

/** `mesh-egress audit --stack dev` in-process, as JSON, with `args` as flags (camelCase keys become --kebab-case). */
async function audit(args: Record<string, string>) {
  const flags = Object.entries({
    stack: "dev",
    since: "30d",
    timeout: "10s",
    format: "json",
    ...args,
  }).flatMap(([key, value]) => [`--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, value]);
  const run = await runCli(["audit", ...flags]);
  return { result: run.status, stdout: run.stdout, stderr: run.stderr };
}

describeWithPrometheusTools("mesh-egress audit against a real Prometheus", () => {
  let prometheus: RunningPrometheus | undefined;
  before(async function () {
    this.timeout(120_000);
    prometheus = await startPrometheus(SERIES);
  });
  after(async () => stopPrometheus(prometheus));

  it("reports per tenant × destination the requests, connections, bytes out and denials it observed", async () => {
    const run = await audit({ prometheus: prometheus!.url });
    const report = JSON.parse(run.stdout) as EgressAudit;
    const row = (tenant: string, destination: string) =>
      report.traffic.find((r) => r.tenant === tenant && r.destination === destination);
    const stripe = row("payments", "api.stripe.com")!;
    assert.deepEqual(
      [stripe.service, stripe.declared, stripe.requests, stripe.denials],
      ["stripe", true, 0, 0],
    );
    // increase() extrapolates to the window's edge: within half a scrape interval of the exact count.
    assertNear(stripe.connections, 720);
    assertNear(stripe.bytesOut, 3_600_000);
    assertNear(row("assistant", "api.openai.com")!.requests, 5_400);
    assertNear(row("assistant", "api.openai.com")!.bytesOut, 16_200_000);
    assertNear(row("settlement", "api.openai.com")!.denials, 360);
    assert.equal(row("settlement", "api.openai.com")!.declared, false);
    assert.equal(row("", "acme-dev.eu.auth0.com")?.declared, true, "identity-less passthrough is expected");
  });

  it("exits 1 and names the undeclared egress, the denied attempts and the unused grants, through the real binary", async () => {
    const result = await runCli([
      "audit",
      "--stack",
      "dev",
      "--prometheus",
      prometheus!.url,
      "--since",
      "30d",
    ]);
    assert.equal(result.status, 1, result.stderr);
    const section = (title: string) => result.stdout.split(`\n${title}\n`)[1]?.split("\n\n")[0] ?? "";
    assert.match(section("Undeclared egress (no grant covers it)"), /storefront\s+PassthroughCluster/);
    const denied = section("Denied attempts");
    assert.match(
      denied,
      /settlement\s+api\.openai\.com\s+36\d\s+HTTP 403 at the gateway \(its AuthorizationPolicy or the remote server/,
    );
    assert.match(denied, /storefront\s+BlackHoleCluster \(unregistered host\)\s+36\d\s+sidecar/);
    assert.equal(denied.split("\n").filter((l) => l.startsWith("storefront")).length, 1);
    const unused = section("Grants never used in the window (least-privilege candidates)");
    assert.match(unused, /settlement\s+clearing-partner/);
    assert.match(unused, /settlement\s+legacy-fx-rates/);
    assert.doesNotMatch(unused, /payments|assistant/);
  });

  it("exits 0 over a window after the undeclared traffic stopped", async () => {
    const run = await audit({ prometheus: prometheus!.url, since: "90m" });
    assert.equal(run.result, 0, run.stderr);
    const report = JSON.parse(run.stdout) as EgressAudit;
    assert.deepEqual(report.undeclared, []);
    assert.ok(report.traffic.length > 0);
  });

  it("exits 2 and says there is nothing to audit when the window holds no samples", async () => {
    const run = await audit({ prometheus: prometheus!.url, since: "5m" });
    assert.equal(run.result, 2);
    assert.equal(run.stdout, "");
    assert.match(run.stderr, /no egress series for gateway istio-egress\/istio-egressgateway .* last 5m/);
  });

  it("reports Prometheus's own error for a query it rejects", async () => {
    const client = new PrometheusClient({ url: prometheus!.url, timeoutMs: 10_000 });
    await assert.rejects(client.query("sum(istio_requests_total"), (err: Error) => {
      assert.ok(err instanceof PrometheusError);
      assert.match(err.message, /refused a query \(HTTP 400, bad_data: .*parse error/);
      return true;
    });
  });

  it("runs every dashboard query and gets data back for each", async () => {
    const client = new PrometheusClient({ url: prometheus!.url, timeoutMs: 10_000 });
    const queries = dashboardQueries(observabilityInputs(projectStack("dev")));
    for (const query of queries) {
      const samples = await client.query(query.expr, END);
      assert.ok(
        samples.length > 0 && samples.some((s) => s.value > 0),
        `no data for "${query.title}": ${query.expr}`,
      );
    }
  });
});

describe("mesh-egress audit when Prometheus cannot answer", () => {
  it("exits 2 with a clear message when nothing listens at the URL", async () => {
    const port = await freeLoopbackPort();
    const run = await audit({ prometheus: `http://127.0.0.1:${port}` });
    assert.equal(run.result, 2);
    assert.match(
      run.stderr,
      new RegExp(`cannot reach Prometheus at http://127\\.0\\.0\\.1:${port}/api/v1/query: ECONNREFUSED`),
    );
    assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
  });

  it("exits 2 when Prometheus does not answer within the timeout", async () => {
    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as { port: number };
    try {
      const run = await audit({ prometheus: `http://127.0.0.1:${port}`, timeout: "1s" });
      assert.equal(run.result, 2);
      assert.match(run.stderr, /did not answer within 1s/);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it("exits 2 on a malformed window or URL before asking anyone", async () => {
    const badWindow = await audit({ prometheus: "http://127.0.0.1:9", since: "30 days" });
    assert.equal(badWindow.result, 2);
    assert.match(badWindow.stderr, /--since must be a duration/);
    const badUrl = await audit({ prometheus: "localhost:9090" });
    assert.equal(badUrl.result, 2);
    assert.match(badUrl.stderr, /--prometheus must be an http\(s\) URL/);
  });
});
