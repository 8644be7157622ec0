import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { loadPolicyConfig } from "../../cli/lint-command";
import { meshConfigForAccessLog } from "../../components/gateway-access-log";
import { allRules } from "../engine/catalog";
import { evaluate } from "../engine/evaluate";
import { KubernetesObject } from "../contract";
import { GATEWAY_CLUSTER_LOCAL, Mutable } from "./compliant-platform";
import { describeFindings, lint, render, STACKS } from "./rendered-stack";

/**
 * End to end: the platform's own `render` output for the shipped stacks lints clean, and the prod render
 * weakened in one way at a time is caught by the rule meant for that weakening, as a mandatory violation.
 */
describe("the rendered stacks under the policy pack", function () {
  this.timeout(30000);

  for (const [stack, file] of Object.entries(STACKS)) {
    it(`finds no mandatory violation in the ${stack} render, under its own environment's levels`, () => {
      const { objects, environment } = render(file);
      assert.ok(objects.length > 20, "the render should hold the whole platform");
      const mandatory = lint(objects, environment).filter((f) => f.enforcement === "mandatory");
      assert.deepEqual(mandatory, [], describeFindings(mandatory));
    });
  }

  it("lints clean a prod render for a cluster domain other than cluster.local, told that domain", () => {
    const document = parseYaml(fs.readFileSync(STACKS.prod, "utf8")) as { config: Record<string, Mutable> };
    document.config["mesh-egress:cluster"] = {
      ...(document.config["mesh-egress:cluster"] ?? {}),
      domain: "corp.example",
    };
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-domain-")), "Pulumi.corp.yaml");
    fs.writeFileSync(file, stringifyYaml(document));
    const objects = render(file).objects;
    const policy = loadPolicyConfig("prod");
    assert.ok(JSON.stringify(objects).includes("istio-egressgateway.istio-egress.svc.corp.example"));
    const told = evaluate(objects, { ...policy, clusterDomain: "corp.example" }).findings;
    assert.deepEqual(told, [], describeFindings(told));
    // Told the domain, lint recognises the gateway's Service under it: a tenant's shadowing rule is caught.
    objects.push({
      apiVersion: "networking.istio.io/v1",
      kind: "DestinationRule",
      metadata: { name: "shadow", namespace: "payments" },
      spec: { host: "istio-egressgateway.istio-egress.svc.corp.example", exportTo: ["."] },
    });
    assert.deepEqual(
      evaluate(objects, { ...policy, clusterDomain: "corp.example" }).findings.map((f) => f.rule),
      ["gateway-destination-rule-not-shadowed"],
    );
  });

  it("finds nothing at all in the prod render, every rule mandatory", () => {
    const findings = lint(render(STACKS.prod).objects, "prod");
    assert.deepEqual(findings, [], describeFindings(findings));
  });

  it("reports exactly the dev baseline's two availability gaps and its plain passthrough service, as advisory", () => {
    const findings = lint(render(STACKS.dev).objects, "dev");
    // Dev scales the gateway from 1 replica and, so, has no PodDisruptionBudget (the chart refuses one);
    // its identity service stays plain passthrough, which dev tolerates and prod refuses.
    assert.deepEqual(
      findings.map((f) => [f.rule, f.enforcement, `${f.kind} ${f.namespace}/${f.name}`]),
      [
        ["gateway-ha-min-replicas", "advisory", "HelmRelease istio-egress/istio-egressgateway"],
        ["gateway-ha-disruption-budget", "advisory", "HelmRelease istio-egress/istio-egressgateway"],
        [
          "gateway-authz-no-identity-less-admission",
          "advisory",
          "AuthorizationPolicy istio-egress/identity-passthrough",
        ],
      ],
      describeFindings(findings),
    );
  });
});

/** Finds the one object a mutation weakens, by what it is rather than by its name. */
function pick(
  objects: KubernetesObject[],
  kind: string,
  predicate: (o: Mutable) => boolean = () => true,
): Mutable {
  const found = objects.find((o) => o.kind === kind && predicate(o));
  if (!found) throw new Error(`the prod render has no ${kind} matching the mutation's target`);
  return found;
}

const rulesOf = (o: Mutable): Mutable[] => o.spec?.rules ?? [];
const sniRule = (r: Mutable): boolean => (r.when ?? []).some((w: Mutable) => w.key === "connection.sni");
const hostRule = (r: Mutable): boolean => (r.to ?? []).some((t: Mutable) => t.operation?.hosts);
const isTenant = (o: Mutable): boolean => "mesh-egress.io/tenant" in (o.metadata.labels ?? {});
const originationTls = (o: Mutable, mode: string): Mutable | undefined =>
  (o.spec?.trafficPolicy?.portLevelSettings ?? [])
    .map((s: Mutable) => s.tls)
    .find((t: Mutable) => t?.mode === mode);
const gatewayNamespace = (objects: KubernetesObject[]): string =>
  pick(objects, "Namespace", (n) => n.metadata.labels?.["mesh-egress.io/role"] === "egress-gateway").metadata
    .name;
const gatewayInternetRule = (objects: KubernetesObject[]): Mutable =>
  pick(objects, "NetworkPolicy", (p) => p.metadata.namespace === gatewayNamespace(objects)).spec.egress.find(
    (e: Mutable) => (e.to ?? []).some((t: Mutable) => t.ipBlock?.cidr === "0.0.0.0/0"),
  );

function istiodRelease(values: Record<string, unknown>): KubernetesObject {
  return {
    apiVersion: "helm.toolkit.fluxcd.io/v2",
    kind: "HelmRelease",
    metadata: { name: "istiod", namespace: "istio-system" },
    spec: {
      chart: { spec: { chart: "istiod", version: "1.30.3" } },
      values: {
        ...values,
        meshConfig: {
          serviceSettings: GATEWAY_CLUSTER_LOCAL,
          ...(values.meshConfig as object),
        },
      },
    },
  };
}

/** One weakening of the prod render and the rule that must catch it. */
interface Mutation {
  readonly rule: string;
  readonly weakening: string;
  /** The level prod runs the rule at; mandatory unless said. */
  readonly enforcement?: "advisory";
  apply(objects: KubernetesObject[]): void;
}

/** A copy of a tenant's gateway AuthorizationPolicy, labelled as a break-glass entry's object. */
function breakGlassObject(
  objects: KubernetesObject[],
  scope: "direct" | "grant",
  annotations: Record<string, string>,
): KubernetesObject {
  const original = pick(objects, "AuthorizationPolicy", (p) => p.metadata.name.startsWith("tenant-"));
  return {
    ...JSON.parse(JSON.stringify(original)),
    metadata: {
      name: "break-glass-outage",
      namespace: original.metadata.namespace,
      labels: { "mesh-egress.io/break-glass": "outage", "mesh-egress.io/break-glass-scope": scope },
      annotations: { "mesh-egress.io/reason": "gateway outage", ...annotations },
    },
  };
}

/** A Deployment in a tenant namespace with this pod spec and pod annotations. */
function tenantDeployment(
  objects: KubernetesObject[],
  spec: Record<string, unknown>,
  annotations: Record<string, string> = {},
): KubernetesObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "app", namespace: pick(objects, "Namespace", isTenant).metadata.name },
    spec: {
      selector: { matchLabels: { app: "app" } },
      template: { metadata: { labels: { app: "app" }, annotations }, spec },
    },
  };
}

/** RFC 3339, `hours` from the clock the rules read when no `now` is set. */
const fromNow = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

const MUTATIONS: readonly Mutation[] = [
  {
    rule: "service-entry-host-not-wildcard-or-ip",
    weakening: "adds a wildcard host to a ServiceEntry",
    apply: (o) => pick(o, "ServiceEntry").spec.hosts.push("*.example.com"),
  },
  {
    rule: "service-entry-resolution-not-none",
    weakening: "switches a gateway-routed ServiceEntry to resolution NONE",
    apply: (o) => (pick(o, "ServiceEntry").spec.resolution = "NONE"),
  },
  {
    rule: "service-entry-export-scoped",
    weakening: 'exports a ServiceEntry to "*"',
    apply: (o) => (pick(o, "ServiceEntry").spec.exportTo = ["*"]),
  },
  {
    rule: "service-entry-addresses-internal-only",
    weakening: "gives a ServiceEntry the address 0.0.0.0/0",
    apply: (o) => (pick(o, "ServiceEntry").spec.addresses = ["0.0.0.0/0"]),
  },
  {
    rule: "sidecar-interception-not-narrowed",
    weakening: "lets a tenant namespace's traffic to the internet skip its sidecars",
    apply: (o) => {
      const ns = pick(o, "Namespace", isTenant);
      ns.metadata.annotations = { "traffic.sidecar.istio.io/excludeOutboundIPRanges": "0.0.0.0/0" };
    },
  },
  {
    rule: "service-not-external-alias",
    weakening: "adds an ExternalName Service for an outside host in a tenant namespace",
    apply: (o) =>
      o.push({
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "paste", namespace: pick(o, "Namespace", isTenant).metadata.name },
        spec: { type: "ExternalName", externalName: "pastebin.com" },
      }),
  },
  {
    rule: "gateway-api-egress-in-platform",
    weakening: "adds a Gateway API route that sends sidecars straight to an external host",
    apply: (o) =>
      o.push({
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: { name: "direct", namespace: pick(o, "Namespace", isTenant).metadata.name },
        spec: {
          parentRefs: [{ kind: "ServiceEntry", group: "networking.istio.io", name: "anything" }],
          rules: [
            {
              backendRefs: [
                { kind: "Hostname", group: "networking.istio.io", name: "exfil.example.net", port: 80 },
              ],
            },
          ],
        },
      }),
  },
  {
    rule: "sidecar-registry-only",
    weakening: "switches a tenant Sidecar to ALLOW_ANY",
    apply: (o) => (pick(o, "Sidecar").spec.outboundTrafficPolicy.mode = "ALLOW_ANY"),
  },
  {
    rule: "sidecar-egress-hosts-scoped",
    weakening: "imports */* into a tenant Sidecar",
    apply: (o) => pick(o, "Sidecar").spec.egress[0].hosts.push("*/*"),
  },
  {
    rule: "sidecar-imports-gateway-hosts-by-name",
    weakening: "imports every gateway-namespace host into a tenant Sidecar",
    apply: (o) => pick(o, "Sidecar").spec.egress[0].hosts.push("istio-egress/*"),
  },
  {
    rule: "tenant-egress-default-deny",
    weakening: "deletes a tenant's egress NetworkPolicy",
    apply: (o) => {
      const policy = pick(o, "NetworkPolicy", isTenant);
      o.splice(o.indexOf(policy), 1);
    },
  },
  {
    rule: "network-policy-no-internet-egress",
    weakening: "opens 0.0.0.0/0 in a tenant NetworkPolicy",
    apply: (o) =>
      pick(o, "NetworkPolicy", isTenant).spec.egress.push({ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }),
  },
  {
    rule: "tenant-egress-platform-namespaces-port-scoped",
    weakening: "puts back the tenant lock's catch-all in-cluster rule, every namespace on every port",
    apply: (o) => {
      const inCluster = pick(o, "NetworkPolicy", isTenant).spec.egress.find((e: Mutable) => !e.ports);
      inCluster.to = [{ namespaceSelector: {} }];
    },
  },
  {
    rule: "tenant-sidecar-injection-enabled",
    weakening: "disables sidecar injection on a tenant namespace",
    apply: (o) => (pick(o, "Namespace", isTenant).metadata.labels["istio-injection"] = "disabled"),
  },
  {
    rule: "namespace-injection-labels-not-mixed",
    weakening: "adds a revision label to a tenant namespace that keeps istio-injection",
    apply: (o) => (pick(o, "Namespace", isTenant).metadata.labels["istio.io/rev"] = "1-30"),
  },
  {
    rule: "gateway-ha-min-replicas",
    weakening: "lets the gateway scale down to 1 replica",
    apply: (o) =>
      (pick(
        o,
        "HelmRelease",
        (r) => r.spec.chart.spec.chart === "gateway",
      ).spec.values.autoscaling.minReplicas = 1),
  },
  {
    rule: "gateway-ha-disruption-budget",
    weakening: "drops the gateway's PodDisruptionBudget",
    apply: (o) =>
      delete pick(o, "HelmRelease", (r) => r.spec.chart.spec.chart === "gateway").spec.values
        .podDisruptionBudget,
  },
  {
    rule: "gateway-ha-zone-spread",
    weakening: "drops the gateway's zone spread",
    apply: (o) => {
      const values = pick(o, "HelmRelease", (r) => r.spec.chart.spec.chart === "gateway").spec.values;
      values.topologySpreadConstraints = values.topologySpreadConstraints.filter(
        (c: Mutable) => c.topologyKey !== "topology.kubernetes.io/zone",
      );
    },
  },
  {
    rule: "gateway-service-cluster-ip",
    weakening: "exposes the gateway as a LoadBalancer",
    apply: (o) =>
      (pick(o, "HelmRelease", (r) => r.spec.chart.spec.chart === "gateway").spec.values.service.type =
        "LoadBalancer"),
  },
  {
    rule: "gateway-egress-excludes-internal-ranges",
    weakening: "lets the gateway reach the cloud metadata range",
    apply: (o) => {
      const block = gatewayInternetRule(o).to.find((t: Mutable) => t.ipBlock?.cidr === "0.0.0.0/0").ipBlock;
      block.except = block.except.filter((c: string) => c !== "169.254.0.0/16");
    },
  },
  {
    rule: "gateway-egress-excludes-internal-ranges",
    weakening: "lets the gateway reach NAT64 addresses, which embed private IPv4 ones",
    apply: (o) => {
      const block = gatewayInternetRule(o).to.find((t: Mutable) => t.ipBlock?.cidr === "::/0").ipBlock;
      block.except = block.except.filter((c: string) => c !== "64:ff9b::/96");
    },
  },
  {
    rule: "http-rate-limit-one-chain-per-port",
    weakening: "serves one HTTP host from a Gateway server of its own on the rate-limited port",
    apply: (o) => {
      const shared = pick(o, "Gateway", (g) => g.spec.servers[0].port.number === 80);
      const [server] = shared.spec.servers;
      const [own, ...rest] = server.hosts;
      server.hosts = rest;
      shared.spec.servers.push({ ...server, port: { ...server.port, name: "https-own" }, hosts: [own] });
    },
  },
  {
    rule: "gateway-selector-only-in-platform-namespace",
    weakening: "copies an egress Gateway into a tenant namespace",
    apply: (o) => {
      // A TLS service's Gateway: a copied HTTP server would also split the rate-limited port's chain.
      const copy = JSON.parse(
        JSON.stringify(pick(o, "Gateway", (g) => g.spec.servers[0].port.number === 443)),
      );
      copy.metadata.namespace = pick(o, "Namespace", isTenant).metadata.name;
      o.push(copy);
    },
  },
  {
    rule: "admission-guardrails-enforced",
    weakening: "binds the gateway-selector guardrail with Warn instead of Deny",
    apply: (o) => {
      const binding = o.find(
        (x) =>
          x.kind === "ValidatingAdmissionPolicyBinding" && x.metadata.name === "mesh-egress-gateway-selector",
      )!;
      binding.spec!.validationActions = ["Warn"];
    },
  },
  {
    rule: "admission-guardrails-enforced",
    weakening: "drops the network-policy-internal-egress guardrail",
    apply: (o) => {
      o.splice(
        o.findIndex(
          (x) =>
            x.kind === "ValidatingAdmissionPolicy" &&
            x.metadata.name === "mesh-egress-network-policy-internal-egress",
        ),
        1,
      );
    },
  },
  {
    rule: "gateway-server-hosts-namespace-qualified",
    weakening: "drops the namespace from an egress Gateway server host",
    apply: (o) => {
      const server = pick(o, "Gateway").spec.servers[0];
      server.hosts = server.hosts.map((h: string) => h.split("/").pop());
    },
  },
  {
    rule: "gateway-authz-no-allow-all",
    weakening: "adds an allow-all rule to a tenant's gateway AuthorizationPolicy",
    apply: (o) => pick(o, "AuthorizationPolicy", isTenant).spec.rules.push({}),
  },
  {
    rule: "gateway-authz-rules-name-sources",
    weakening: "drops the source of a tenant's gateway rule",
    apply: (o) => delete rulesOf(pick(o, "AuthorizationPolicy", isTenant))[0].from,
  },
  {
    rule: "gateway-authz-no-identity-less-admission",
    weakening: "admits identity-less connections (plain passthrough's rule) for a tenant's TLS service",
    apply: (o) =>
      rulesOf(pick(o, "AuthorizationPolicy", (p) => isTenant(p) && rulesOf(p).some(sniRule)))
        .find(sniRule)
        .from.push({ source: { notPrincipals: ["*"] } }),
  },
  {
    rule: "gateway-authz-no-http-fields-on-tls",
    weakening: "authorizes a TLS service by HTTP host instead of SNI",
    apply: (o) => {
      const rule = rulesOf(
        pick(o, "AuthorizationPolicy", (p) => isTenant(p) && rulesOf(p).some(sniRule)),
      ).find(sniRule);
      // The registered hosts behind the tenant's own SNIs (<tenant>.<host>.mesh-egress.invalid).
      const hosts = rule.when[0].values.map((sni: string) =>
        sni.replace(/^[^.]+\./, "").replace(/\.mesh-egress\.invalid$/, ""),
      );
      rule.to = [{ operation: { hosts } }];
      delete rule.when;
    },
  },
  {
    rule: "gateway-authz-hosts-registered",
    weakening: "grants a host that has no ServiceEntry",
    apply: (o) => {
      const rule = rulesOf(
        pick(o, "AuthorizationPolicy", (p) => isTenant(p) && rulesOf(p).some(hostRule)),
      ).find(hostRule);
      rule.to[0].operation.hosts = ["pastebin.com"];
    },
  },
  {
    rule: "gateway-authz-http-hosts-any-port",
    weakening: "drops the <host>:* form from a tenant's HTTP host rule",
    apply: (o) => {
      const operation = rulesOf(
        pick(o, "AuthorizationPolicy", (p) => isTenant(p) && rulesOf(p).some(hostRule)),
      ).find(hostRule).to[0].operation;
      operation.hosts = operation.hosts.filter((h: string) => !h.endsWith(":*"));
    },
  },
  {
    rule: "peer-authentication-mtls-required",
    weakening: "makes mTLS PERMISSIVE in the gateway namespace",
    apply: (o) =>
      o.push({
        apiVersion: "security.istio.io/v1",
        kind: "PeerAuthentication",
        metadata: { name: "default", namespace: gatewayNamespace(o) },
        spec: { mtls: { mode: "PERMISSIVE" } },
      }),
  },
  {
    rule: "origination-tls-not-disabled",
    weakening: "turns TLS origination off for an external host",
    apply: (o) =>
      (originationTls(
        pick(o, "DestinationRule", (r) => originationTls(r, "SIMPLE")),
        "SIMPLE",
      ).mode = "DISABLE"),
  },
  {
    rule: "destination-rule-no-insecure-skip-verify",
    weakening: "skips server certificate verification on mutual origination",
    apply: (o) =>
      (originationTls(
        pick(o, "DestinationRule", (r) => originationTls(r, "MUTUAL")),
        "MUTUAL",
      ).insecureSkipVerify = true),
  },
  {
    rule: "origination-tls-sni-and-sans",
    weakening: "drops the subjectAltNames of an origination rule",
    apply: (o) =>
      delete originationTls(
        pick(o, "DestinationRule", (r) => originationTls(r, "SIMPLE")),
        "SIMPLE",
      ).subjectAltNames,
  },
  {
    rule: "origination-rule-gateway-only",
    weakening: "exports an origination rule to every namespace",
    apply: (o) => (pick(o, "DestinationRule", (r) => originationTls(r, "SIMPLE")).spec.exportTo = ["*"]),
  },
  {
    rule: "istio-mutual-subset-not-passthrough",
    weakening: "turns a passthrough-mtls Gateway server into PASSTHROUGH while its subset keeps ISTIO_MUTUAL",
    apply: (o) => {
      const gateway = pick(o, "Gateway", (g) =>
        g.spec.servers.some((s: Mutable) => s.port.protocol === "TLS" && s.tls?.mode === "ISTIO_MUTUAL"),
      );
      gateway.spec.servers.forEach((s: Mutable) => (s.tls.mode = "PASSTHROUGH"));
    },
  },
  {
    rule: "mesh-route-has-gateway-route",
    weakening: "drops the gateway-side route of an originated service",
    apply: (o) => {
      const vs = pick(o, "VirtualService", (v) => (v.spec.http ?? []).length > 1);
      vs.spec.http = vs.spec.http.filter((r: Mutable) =>
        r.match.some((m: Mutable) => m.gateways.includes("mesh")),
      );
    },
  },
  {
    rule: "envoy-filter-has-workload-selector",
    weakening: "adds an EnvoyFilter that patches every proxy of the gateway namespace",
    apply: (o) =>
      o.push({
        apiVersion: "networking.istio.io/v1alpha3",
        kind: "EnvoyFilter",
        metadata: { name: "tweak", namespace: gatewayNamespace(o) },
        spec: {
          configPatches: [
            { applyTo: "CLUSTER", patch: { operation: "MERGE", value: { connect_timeout: "1s" } } },
          ],
        },
      }),
  },
  {
    rule: "envoy-filter-http-patch-applies",
    weakening: "adds an HTTP rate limit on the gateway's TLS port",
    apply: (o) =>
      o.push({
        apiVersion: "networking.istio.io/v1alpha3",
        kind: "EnvoyFilter",
        metadata: { name: "ratelimit", namespace: gatewayNamespace(o) },
        spec: {
          workloadSelector: { labels: { istio: "egressgateway" } },
          configPatches: [
            {
              applyTo: "HTTP_FILTER",
              match: {
                context: "GATEWAY",
                listener: {
                  portNumber: 443,
                  filterChain: { filter: { name: "envoy.filters.network.http_connection_manager" } },
                },
              },
              patch: { operation: "INSERT_BEFORE", value: { name: "envoy.filters.http.local_ratelimit" } },
            },
          ],
        },
      }),
  },
  {
    rule: "service-entry-in-platform-namespace",
    weakening: "lets a tenant register an external host of its own",
    apply: (o) => {
      const copy = JSON.parse(JSON.stringify(pick(o, "ServiceEntry")));
      copy.metadata.namespace = pick(o, "Namespace", isTenant).metadata.name;
      copy.metadata.name = "own-registry";
      copy.spec.exportTo = ["."];
      o.push(copy);
    },
  },
  {
    rule: "control-plane-registry-only",
    weakening: "installs istiod with the mesh-wide outbound policy ALLOW_ANY",
    apply: (o) =>
      o.push(
        istiodRelease({
          meshConfig: { outboundTrafficPolicy: { mode: "ALLOW_ANY" }, ...meshConfigForAccessLog() },
          env: { PILOT_SCOPE_GATEWAY_TO_NAMESPACE: "true" },
        }),
      ),
  },
  {
    rule: "control-plane-scopes-gateways",
    weakening: "installs istiod without scoping Gateways to their namespace",
    apply: (o) =>
      o.push(
        istiodRelease({
          meshConfig: { outboundTrafficPolicy: { mode: "REGISTRY_ONLY" }, ...meshConfigForAccessLog() },
        }),
      ),
  },
  {
    rule: "gateway-access-log-records-caller",
    weakening: "gives istiod a mesh config (the istio ConfigMap) without the gateway's access-log provider",
    apply: (o) =>
      o.push({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "istio", namespace: "istio-system" },
        data: { mesh: "accessLogFile: /dev/stdout\noutboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n" },
      }),
  },
  {
    rule: "gateway-service-cluster-local",
    weakening: "installs istiod without marking the gateway Service cluster-local",
    apply: (o) =>
      o.push(
        istiodRelease({
          meshConfig: {
            outboundTrafficPolicy: { mode: "REGISTRY_ONLY" },
            serviceSettings: [],
            ...meshConfigForAccessLog(),
          },
          env: { PILOT_SCOPE_GATEWAY_TO_NAMESPACE: "true" },
        }),
      ),
  },
  {
    rule: "mesh-routes-external-hosts-via-gateway",
    weakening: "points a mesh route straight at its external host",
    apply: (o) => {
      const vs = pick(o, "VirtualService", (v) =>
        (v.spec.tls ?? []).some((r: Mutable) => r.match.some((m: Mutable) => m.gateways?.includes("mesh"))),
      );
      const route = vs.spec.tls.find((r: Mutable) =>
        r.match.some((m: Mutable) => m.gateways?.includes("mesh")),
      );
      route.route[0].destination = { host: vs.spec.hosts[0], port: { number: 443 } };
    },
  },
  {
    rule: "gateway-destination-rule-not-shadowed",
    weakening: "adds a tenant DestinationRule for the gateway's Service without mTLS",
    apply: (o) => {
      const platform = pick(o, "DestinationRule", (r) => (r.spec.subsets ?? []).length > 0);
      o.push({
        apiVersion: "networking.istio.io/v1",
        kind: "DestinationRule",
        metadata: { name: "plain-to-gateway", namespace: pick(o, "Namespace", isTenant).metadata.name },
        spec: { host: platform.spec.host, exportTo: ["."], trafficPolicy: { tls: { mode: "DISABLE" } } },
      });
    },
  },
  {
    rule: "certificate-key-strength",
    weakening: "weakens a client certificate's key to RSA 1024",
    apply: (o) => (pick(o, "Certificate").spec.privateKey = { algorithm: "RSA", size: 1024 }),
  },
  {
    rule: "client-certificate-max-lifetime",
    weakening: "lets a client certificate live a year",
    apply: (o) =>
      (pick(o, "Certificate", (c) => (c.spec.usages ?? []).includes("client auth")).spec.duration = "8760h"),
  },
  {
    rule: "mutual-origination-credential-provided",
    weakening: "points a MUTUAL origination at a credential nothing provides",
    apply: (o) => {
      const tls = originationTls(
        pick(o, "DestinationRule", (r) => originationTls(r, "MUTUAL")),
        "MUTUAL",
      );
      const roots = pick(o, "Secret", (x) => x.metadata.name === `${tls.credentialName}-cacert`);
      tls.credentialName = "nobody-issues-this";
      roots.metadata.name = "nobody-issues-this-cacert";
    },
  },
  {
    rule: "mutual-origination-server-roots-provided",
    weakening: "deletes the server roots beside a MUTUAL credential",
    apply: (o) => {
      const credential = originationTls(
        pick(o, "DestinationRule", (r) => originationTls(r, "MUTUAL")),
        "MUTUAL",
      ).credentialName;
      const roots = pick(o, "Secret", (x) => x.metadata.name === `${credential}-cacert`);
      o.splice(o.indexOf(roots), 1);
    },
  },
  {
    rule: "issuer-keys-outside-gateway-namespace",
    weakening:
      "turns the gateway namespace's Vault Issuer into a CA Issuer over a key pair beside the gateway",
    apply: (o) => (pick(o, "Issuer").spec = { ca: { secretName: "partner-clients-ca" } }),
  },
  {
    rule: "gateway-authz-default-deny",
    weakening: "deletes every AuthorizationPolicy at the gateway",
    apply: (o) => {
      for (let i = o.length - 1; i >= 0; i--) if (o[i]?.kind === "AuthorizationPolicy") o.splice(i, 1);
    },
  },
  {
    rule: "gateway-routes-to-declared-host",
    weakening: "forwards an approved host's gateway traffic to another site",
    apply: (o) => {
      const vs = pick(o, "VirtualService", (v) => (v.spec.http ?? []).length > 1);
      const onward = vs.spec.http.find(
        (r: Mutable) => !r.match.some((m: Mutable) => m.gateways.includes("mesh")),
      );
      onward.route[0].destination.host = "exfil.example.net";
    },
  },
  {
    rule: "gateway-routes-strip-internal-headers",
    weakening: "lets an originated request carry the tenant pod's IP (x-forwarded-for) out of the cluster",
    apply: (o) => {
      const vs = pick(o, "VirtualService", (v) => (v.spec.http ?? []).length > 1);
      const onward = vs.spec.http.find((r: Mutable) => r.headers?.request?.remove);
      onward.headers.request.remove = onward.headers.request.remove.filter(
        (h: string) => h !== "x-forwarded-for",
      );
    },
  },
  {
    rule: "envoy-filter-no-removal-at-gateway",
    weakening: "removes the RBAC filter from the gateway",
    apply: (o) =>
      o.push({
        apiVersion: "networking.istio.io/v1alpha3",
        kind: "EnvoyFilter",
        metadata: { name: "no-rbac", namespace: gatewayNamespace(o) },
        spec: {
          workloadSelector: { labels: { istio: "egressgateway" } },
          configPatches: [
            {
              applyTo: "NETWORK_FILTER",
              match: {
                context: "GATEWAY",
                listener: { filterChain: { filter: { name: "envoy.filters.network.rbac" } } },
              },
              patch: { operation: "REMOVE" },
            },
          ],
        },
      }),
  },
  {
    rule: "local-rate-limit-enforced",
    weakening: "leaves the gateway's HTTP rate limit at Envoy's default of enforcing 0 %",
    apply: (o) => {
      const filter = pick(o, "EnvoyFilter", (f) => f.metadata.name.endsWith("-http-rate-limits"));
      delete filter.spec.configPatches[0].patch.value.typed_config.filter_enforced;
    },
  },
  {
    rule: "envoy-filter-in-gateway-namespace",
    weakening: "moves the TLS connection limits into a tenant namespace",
    apply: (o) => {
      const filter = pick(o, "EnvoyFilter", (f) => f.metadata.name.endsWith("-tls-connection-limits"));
      o.push({ ...filter, metadata: { ...filter.metadata, name: "sidecar-tweak", namespace: "payments" } });
    },
  },
  {
    rule: "tenant-egress-rate-limited",
    weakening: "drops a tenant's HTTP rate limit descriptors",
    apply: (o) => {
      const config = pick(o, "EnvoyFilter", (f) => f.metadata.name.endsWith("-http-rate-limits")).spec
        .configPatches[0].patch.value.typed_config;
      config.descriptors = config.descriptors.filter((d: Mutable) => d.entries[0].value !== "settlement");
    },
  },
  {
    rule: "global-rate-limit-has-local-floor",
    weakening: "adds a fail-open global limiter while the local limit keeps no backstop bucket",
    apply: (o) => {
      const patches = pick(o, "EnvoyFilter", (f) => f.metadata.name.endsWith("-http-rate-limits")).spec
        .configPatches;
      delete patches[0].patch.value.typed_config.token_bucket;
      patches.push({
        applyTo: "HTTP_FILTER",
        match: patches[0].match,
        patch: {
          operation: "INSERT_BEFORE",
          value: {
            name: "envoy.filters.http.ratelimit",
            typed_config: {
              "@type": "type.googleapis.com/envoy.extensions.filters.http.ratelimit.v3.RateLimit",
              domain: "mesh-egress",
              failure_mode_deny: false,
            },
          },
        },
      });
    },
  },
  {
    rule: "pinned-service-entry-static",
    weakening: "lets the gateway resolve a pinned partner by DNS again",
    apply: (o) => {
      const entry = pick(
        o,
        "ServiceEntry",
        (e) => e.metadata.annotations?.["mesh-egress.io/pinned-addresses"],
      );
      entry.spec.resolution = "DNS";
      delete entry.spec.endpoints;
    },
  },
  {
    rule: "gateway-egress-narrowing-effective",
    weakening:
      "adds an allow-list for the pinned partner beside the internet rule on 443 (the old allowedCidrs shape)",
    apply: (o) =>
      pick(o, "NetworkPolicy", (p) => p.metadata.namespace === gatewayNamespace(o)).spec.egress.push({
        to: [{ ipBlock: { cidr: "203.0.113.10/32" } }],
        ports: [{ protocol: "TCP", port: 443 }],
      }),
  },
  {
    rule: "cluster-egress-locked-outside-gateway",
    weakening:
      "asks for the cluster-wide egress lock on the gateway namespace and deploys no AdminNetworkPolicy",
    apply: (o) => {
      const namespace = pick(o, "Namespace", (n) => n.metadata.name === gatewayNamespace(o));
      namespace.metadata.annotations = { "mesh-egress.io/lock-all-namespaces-exempt": "" };
    },
  },
  {
    rule: "gateway-access-logging-not-disabled",
    weakening: "disables the gateway's access log",
    apply: (o) => (pick(o, "Telemetry").spec.accessLogging[0].disabled = true),
  },
  {
    rule: "gateway-access-logging-configured",
    weakening: "deletes the gateway's Telemetry",
    apply: (o) => {
      const telemetry = pick(o, "Telemetry");
      o.splice(o.indexOf(telemetry), 1);
    },
  },
  {
    rule: "tenant-pods-within-baseline",
    weakening: "runs a tenant Deployment on the node's network",
    apply: (o) =>
      o.push(tenantDeployment(o, { hostNetwork: true, containers: [{ name: "app", image: "app:1" }] })),
  },
  {
    rule: "proxy-identity-only-for-injected-containers",
    weakening: "runs a tenant app as the proxy's UID 1337",
    apply: (o) =>
      o.push(
        tenantDeployment(o, {
          containers: [{ name: "app", image: "app:1", securityContext: { runAsUser: 1337 } }],
        }),
      ),
  },
  {
    rule: "tenant-pod-istio-knobs-allowed",
    weakening: "turns a tenant pod's interception off with sidecar.istio.io/interceptionMode NONE",
    apply: (o) =>
      o.push(
        tenantDeployment(
          o,
          { containers: [{ name: "app", image: "app:1" }] },
          { "sidecar.istio.io/interceptionMode": "NONE" },
        ),
      ),
  },
  {
    rule: "tenant-workload-entries-in-cluster",
    weakening: "registers an outside machine as a tenant WorkloadEntry",
    apply: (o) =>
      o.push({
        apiVersion: "networking.istio.io/v1",
        kind: "WorkloadEntry",
        metadata: { name: "outside", namespace: pick(o, "Namespace", isTenant).metadata.name },
        spec: { address: "203.0.113.7" },
      }),
  },
  {
    rule: "tenant-telemetry-keeps-metrics-and-logs",
    weakening: "turns a tenant's access logs off",
    apply: (o) =>
      o.push({
        apiVersion: "telemetry.istio.io/v1",
        kind: "Telemetry",
        metadata: { name: "quiet", namespace: pick(o, "Namespace", isTenant).metadata.name },
        spec: { accessLogging: [{ disabled: true }] },
      }),
  },
  {
    rule: "tenant-routing-exported-to-own-namespace",
    weakening: "adds a tenant VirtualService exported to every namespace",
    apply: (o) =>
      o.push({
        apiVersion: "networking.istio.io/v1",
        kind: "VirtualService",
        metadata: { name: "everyones", namespace: pick(o, "Namespace", isTenant).metadata.name },
        spec: { hosts: ["reviews"], http: [{ route: [{ destination: { host: "reviews" } }] }] },
      }),
  },
  {
    rule: "cni-policy-no-internet-egress",
    weakening: "opens the world beside the tenant lock with a CiliumNetworkPolicy",
    apply: (o) =>
      o.push({
        apiVersion: "cilium.io/v2",
        kind: "CiliumNetworkPolicy",
        metadata: { name: "world", namespace: pick(o, "Namespace", isTenant).metadata.name },
        spec: { endpointSelector: {}, egress: [{ toEntities: ["world"] }] },
      }),
  },
  {
    rule: "break-glass-expiry-valid",
    weakening: "adds a break-glass object that expired and was never removed",
    apply: (o) =>
      o.push(
        breakGlassObject(o, "grant", {
          "mesh-egress.io/expires-at": "2020-01-01T00:00:00Z",
          "mesh-egress.io/ticket": "INC-1",
        }),
      ),
  },
  {
    rule: "break-glass-expiring-soon",
    weakening: "adds a break-glass object with an hour left",
    enforcement: "advisory",
    apply: (o) =>
      o.push(
        breakGlassObject(o, "grant", {
          "mesh-egress.io/expires-at": fromNow(1),
          "mesh-egress.io/ticket": "INC-1",
        }),
      ),
  },
  {
    rule: "break-glass-direct-has-ticket",
    weakening: "adds a break-glass object around the gateway without a ticket",
    apply: (o) => o.push(breakGlassObject(o, "direct", { "mesh-egress.io/expires-at": fromNow(6) })),
  },
  {
    rule: "break-glass-public-egress-port-scoped",
    weakening: "adds a direct break-glass NetworkPolicy to public addresses with an empty port list",
    apply: (o) =>
      o.push({
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: {
          name: "break-glass-outage",
          namespace: pick(o, "Namespace", isTenant).metadata.name,
          labels: { "mesh-egress.io/break-glass": "outage", "mesh-egress.io/break-glass-scope": "direct" },
          annotations: { "mesh-egress.io/expires-at": fromNow(6), "mesh-egress.io/ticket": "INC-1" },
        },
        spec: {
          podSelector: {},
          policyTypes: ["Egress"],
          egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } }], ports: [] }],
        },
      }),
  },
];

describe("weakening the prod render", function () {
  this.timeout(30000);
  const prod = render(STACKS.prod).objects;

  it("has a mutation for every rule of the pack", () => {
    assert.deepEqual(new Set(MUTATIONS.map((m) => m.rule)), new Set(allRules.map((r) => r.name)));
  });

  for (const mutation of MUTATIONS) {
    it(`${mutation.weakening}: caught by ${mutation.rule} alone, as ${mutation.enforcement ?? "mandatory"}`, () => {
      const objects = JSON.parse(JSON.stringify(prod)) as KubernetesObject[];
      mutation.apply(objects);
      const findings = lint(objects, "prod");
      assert.deepEqual(
        [...new Set(findings.map((f) => f.rule))],
        [mutation.rule],
        `expected ${mutation.rule} alone:\n${describeFindings(findings)}`,
      );
      assert.ok(findings.every((f) => f.enforcement === (mutation.enforcement ?? "mandatory")));
    });
  }
});
