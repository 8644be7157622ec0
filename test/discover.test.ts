import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { applyPatch } from "diff";
import { parse as parseYaml } from "yaml";
import { MAX_DESTINATIONS, Observations } from "../cli/discover-observations";
import { parseAccessLogLine } from "../cli/envoy-access-log";
import { loadPolicyConfig } from "../cli/lint-command";
import { renderDocuments } from "../cli/render";
import { ACCESS_LOG_FIELDS } from "../components/gateway-access-log";
import type { KubernetesObject } from "../policy/contract";
import { evaluate } from "../policy/engine/evaluate";
import { loadStackFile } from "../stacks/load-config";
import { describeWithPrometheusTools } from "./support/prometheus-tools";
import {
  BackfillSeries,
  RunningPrometheus,
  startPrometheus,
  stopPrometheus,
} from "./support/prometheus-server";
import { runCli } from "./support/run-cli";
import { PROJECT_DIR } from "./support/stacks";

const LOGS = path.join(PROJECT_DIR, "test", "fixtures", "access-logs");
const NOW = "2026-11-29T14:00:00Z";
const FIXTURE_ARGS = [
  "--now",
  NOW,
  `shop=${path.join(LOGS, "shop-sidecar.log")}`,
  `assistant=${path.join(LOGS, "assistant-sidecar.json.log")}`,
  path.join(LOGS, "gateway.json.log"),
];

interface Fragment {
  config: {
    "mesh-egress:services": { name: string; hosts: string[]; mode: string; port?: number }[];
    "mesh-egress:tenants": { namespace: string; allow: string[] }[];
  };
}

describe("reading Envoy access log lines as Istio 1.30 writes them", () => {
  // Istio's EnvoyTextLogFormat: a sidecar's TLS connection to an unregistered host under ALLOW_ANY.
  const text =
    '[2026-11-29T10:00:00.123Z] "- - -" 0 - - - "-" 1543 6121 2011 - "-" "-" "-" "-" "52.1.2.3:443" PassthroughCluster 10.1.2.3:40112 52.1.2.3:443 10.1.2.3:40110 api.example-payments.com -';

  it("reads Istio's default TEXT format, the SNI and the address the app dialled", () => {
    assert.deepEqual(parseAccessLogLine(text), {
      startTime: "2026-11-29T10:00:00.123Z",
      upstreamHost: "52.1.2.3:443",
      upstreamCluster: "PassthroughCluster",
      downstreamLocalAddress: "52.1.2.3:443",
      sni: "api.example-payments.com",
    });
  });

  it("reads the line behind kubectl logs --prefix and --timestamps", () => {
    const prefixed = `[pod/checkout-7f9c-abcde/istio-proxy] 2026-11-29T10:00:00.124000000Z ${text}`;
    assert.deepEqual(parseAccessLogLine(prefixed), parseAccessLogLine(text));
  });

  it("reads the HTTP request, user agent and authority of a TEXT line with quoted spaces", () => {
    const line =
      '[2026-11-29T10:05:00.000Z] "GET /v1/rates HTTP/1.1" 200 - via_upstream - "-" 0 734 45 44 "-" "Mozilla/5.0 (X11; Linux x86_64)" "5c1d" "rates.example.org" "93.184.216.34:80" PassthroughCluster 10.1.2.3:52100 93.184.216.34:80 10.1.2.3:52098 - allow_any';
    const record = parseAccessLogLine(line);
    assert.deepEqual(
      [record?.method, record?.path, record?.protocol, record?.userAgent, record?.authority, record?.sni],
      ["GET", "/v1/rates", "HTTP/1.1", "Mozilla/5.0 (X11; Linux x86_64)", "rates.example.org", undefined],
    );
  });

  it("reads this project's gateway provider format, caller identity included", () => {
    const line = JSON.stringify(
      Object.fromEntries(
        Object.keys(ACCESS_LOG_FIELDS).map((key) => [
          key,
          {
            start_time: "2026-11-29T13:00:00.000Z",
            caller_identity: "spiffe://cluster.local/ns/payments/sa/checkout",
            sni: "api.stripe.com",
            upstream_cluster: "outbound|443||api.stripe.com",
          }[key] ?? "-",
        ]),
      ),
    );
    const record = parseAccessLogLine(line);
    assert.deepEqual(
      [record?.callerIdentity, record?.sni, record?.upstreamCluster],
      ["spiffe://cluster.local/ns/payments/sa/checkout", "api.stripe.com", "outbound|443||api.stripe.com"],
    );
  });

  it("refuses a truncated line and a JSON line without a start time", () => {
    assert.equal(parseAccessLogLine('[2026-11-29T10:10:00.000Z] "GET /v1/rat'), undefined);
    assert.equal(parseAccessLogLine('{"authority":"api.example.com"}'), undefined);
  });
});

describe("mesh-egress discover over access logs", function () {
  this.timeout(60_000);

  it("proposes a service per host with its mode, and each namespace's allow list", async () => {
    const { status, stdout, stderr } = await runCli(["discover", ...FIXTURE_ARGS]);
    assert.equal(status, 0, stderr);
    const fragment = parseYaml(stdout) as Fragment;
    assert.deepEqual(
      fragment.config["mesh-egress:services"].map(
        (s) => `${s.hosts.join(",")} ${s.mode}${s.port ? `:${s.port}` : ""}`,
      ),
      [
        "api.example-geo.com originate",
        "api.example-llm.com passthrough-mtls",
        "api.example-payments.com passthrough-mtls",
        "api.stripe.com passthrough-mtls",
        "hooks.example-chat.com passthrough-mtls",
        "rates.example.org originate",
      ],
    );
    assert.deepEqual(fragment.config["mesh-egress:tenants"], [
      { namespace: "assistant", allow: ["api-example-llm-com", "api-example-payments-com"] },
      { namespace: "payments", allow: ["api-example-geo-com", "api-stripe-com"] },
      {
        namespace: "shop",
        allow: ["api-example-payments-com", "hooks-example-chat-com", "rates-example-org"],
      },
    ]);
  });

  it("writes the counts, first and last seen, and the mode's reason and warning as comments", async () => {
    const { stdout } = await runCli(["discover", ...FIXTURE_ARGS]);
    assert.match(
      stdout,
      /# seen 3 times \(shop 2, assistant 1\)\n\s+# first 2026-11-29T10:00:00\.123Z, last 2026-11-29T12:01:00\.000Z\n\s+# mode: TLS on 443: the app speaks TLS itself[^\n]*\n\s+- name: api-example-payments-com\n/,
    );
    assert.match(
      stdout,
      /# mode: plain HTTP from the app \(port 80\): the gateway originates TLS to 443[^\n]*\n\s+# WARNING: check that rates\.example\.org serves TLS on 443[^\n]*\n\s+- name: rates-example-org\n/,
    );
  });

  it("counts malformed, foreign and out-of-window lines and lists everything it leaves out, never failing", async () => {
    const { status, stdout } = await runCli(["discover", ...FIXTURE_ARGS]);
    assert.equal(status, 0);
    assert.match(
      stdout,
      /# 25 lines read, 2 malformed lines, 1 other line \(not access log lines\), 1 line before the window\n/,
    );
    for (const listed of [
      "# Left out, health checks: 1 observation\n#   10.1.2.3:15021 1\n",
      "# Left out, in-cluster names: 1 observation\n#   orders.shop.svc.cluster.local 1\n",
      "# Left out, IP-only destinations (no host name: register the name the app uses): 1 observation\n#   203.0.113.7 1\n",
      "# Left out, private addresses: 1 observation\n#   10.20.30.40 1\n",
      "# Left out, CDNs and sharded hosts (register the few the app needs): 9 observations\n#   *.cdn-example.net (9 hosts) 9\n",
    ]) {
      assert.ok(stdout.includes(listed), `lists ${listed}\n${stdout}`);
    }
    assert.doesNotMatch(stdout, /old\.example-archive\.com/);
  });

  it("writes a fragment that renders and lints clean at dev", async () => {
    const { stdout } = await runCli(["discover", ...FIXTURE_ARGS]);
    const file = path.join(
      fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-discover-")),
      "Pulumi.discovered.yaml",
    );
    fs.writeFileSync(file, stdout);
    const objects = JSON.parse(JSON.stringify(renderDocuments(loadStackFile(file)))) as KubernetesObject[];
    const findings = evaluate(objects, loadPolicyConfig("dev")).findings;
    assert.deepEqual(
      findings.map((f) => `${f.enforcement} ${f.rule}`),
      ["advisory gateway-ha-min-replicas", "advisory gateway-ha-disruption-budget"],
      "only the dev baseline's own availability advisories",
    );
    assert.equal(objects.filter((o) => o.kind === "ServiceEntry").length, 6);
  });

  it("prints a diff of the stack file with --stack, its registered hosts left out and its comments kept", async () => {
    const { status, stdout } = await runCli(["discover", "--stack", "dev", ...FIXTURE_ARGS]);
    assert.equal(status, 0);
    assert.match(stdout, /# Left out, already registered: 1 observation\n#\s+api\.stripe\.com 1\n/);
    const original = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), "utf8");
    const patched = applyPatch(original, stdout.slice(stdout.indexOf("===")));
    assert.ok(typeof patched === "string", "the diff applies to Pulumi.dev.yaml");
    const commentLines = (t: string) => t.split("\n").filter((l) => l.trimStart().startsWith("#"));
    for (const line of commentLines(original)) assert.ok(patched.includes(line), `keeps ${line}`);
    assert.ok(commentLines(patched).includes("    # seen 1 time (shop 1)"), "adds the evidence as comments");
    const file = path.join(
      fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-discover-")),
      "Pulumi.dev.yaml",
    );
    fs.writeFileSync(file, patched);
    const config = loadStackFile(file);
    assert.ok(config.services.some((s) => s.hosts.includes("hooks.example-chat.com")));
    assert.deepEqual(config.services.filter((s) => s.hosts.includes("api.stripe.com")).length, 1);
    assert.ok(config.tenants.some((t) => t.namespace === "shop" && t.allow.includes("rates-example-org")));
  });

  it("says what prod still refuses in the merged file (a rate limit per tenant) after the diff", async () => {
    const { status, stdout } = await runCli(["discover", "--stack", "prod", ...FIXTURE_ARGS]);
    assert.equal(status, 0);
    assert.match(
      stdout,
      /\n# Pulumi\.prod\.yaml refuses this as is; complete it before applying:\n(# {3}.*\n)*# {3}rateLimits\.tenants\.shop: prod requires a limit for every tenant/,
    );
  });

  it("keeps memory to the distinct destinations: past the limit observations are counted, not remembered", () => {
    const observations = new Observations();
    for (let i = 0; i < MAX_DESTINATIONS + 10; i++) {
      observations.add({ host: `h${i}.example.com`, port: 443, traffic: "tls", count: 1 }, new Set());
    }
    assert.equal(observations.destinations.size, MAX_DESTINATIONS);
    assert.equal(observations.dropped, 10);
  });

  for (const [what, args, message] of [
    [
      "no logs and no Prometheus",
      [],
      /give access logs \(paths, - or <namespace>=<path>\) or --prometheus URL/,
    ],
    ["a --since that is no duration", ["--since", "a week", "-"], /--since must be a duration such as 30d/],
    ["an unreadable log", ["shop=/nonexistent/proxy.log"], /cannot read \/nonexistent\/proxy\.log/],
    [
      "a --prometheus that is no URL",
      ["--prometheus", "localhost:9090"],
      /--prometheus must be an http\(s\) URL/,
    ],
  ] as const) {
    it(`exits 2 with a message naming the fix for ${what}`, async () => {
      const { status, stdout, stderr } = await runCli(["discover", ...args]);
      assert.equal(status, 2, stderr);
      assert.equal(stdout, "");
      assert.match(stderr, message);
    });
  }
});

const MINUTE = 60_000;
const END = new Date(Math.floor((Date.now() - 10 * MINUTE) / MINUTE) * MINUTE);
function counter(name: string, labels: Record<string, string>, perMinute: number): BackfillSeries {
  const samples: [Date, number][] = [];
  for (let m = 120, v = 0; m >= 0; m--, v += perMinute)
    samples.push([new Date(END.getTime() - m * MINUTE), v]);
  return { name, labels, samples };
}
/** A sidecar's series towards PassthroughCluster, as Istio 1.30 reports an ALLOW_ANY connection. */
const passthrough = (tenant: string, service: string) => ({
  reporter: "source",
  source_workload: "web",
  source_workload_namespace: tenant,
  destination_service: service,
  destination_service_name: "PassthroughCluster",
  namespace: tenant,
  pod: `web-7f-${tenant}`,
});

describeWithPrometheusTools("mesh-egress discover against a real Prometheus", () => {
  let prometheus: RunningPrometheus | undefined;
  before(async function () {
    this.timeout(120_000);
    prometheus = await startPrometheus([
      counter("istio_requests_total", passthrough("shop", "rates.example.org"), 5),
      counter("istio_tcp_connections_opened_total", passthrough("shop", "api.example-payments.com"), 2),
      counter("istio_tcp_connections_opened_total", passthrough("shop", "10.20.30.40"), 1),
      counter(
        "istio_tcp_connections_opened_total",
        passthrough("analytics", "api.example-payments.com:8443"),
        1,
      ),
    ]);
  });
  after(async () => stopPrometheus(prometheus));

  it("proposes the PassthroughCluster destinations of istio_requests_total and istio_tcp_* per namespace", async () => {
    const { status, stdout, stderr } = await runCli([
      "discover",
      "--prometheus",
      prometheus!.url,
      "--since",
      "1h",
    ]);
    assert.equal(status, 0, stderr);
    const fragment = parseYaml(stdout) as Fragment;
    assert.deepEqual(
      fragment.config["mesh-egress:services"].map((s) => `${s.hosts.join(",")} ${s.mode} ${s.port ?? 443}`),
      ["api.example-payments.com passthrough-mtls 443", "rates.example.org originate 443"],
    );
    assert.deepEqual(fragment.config["mesh-egress:tenants"], [
      { namespace: "analytics", allow: ["api-example-payments-com"] },
      { namespace: "shop", allow: ["api-example-payments-com", "rates-example-org"] },
    ]);
    assert.match(stdout, /# Left out, private addresses: \d+ observations?\n#\s+10\.20\.30\.40 \d+\n/);
  });
});
