import { strict as assert } from "assert";
import { renderDocuments } from "../../cli/render";
import type { KubernetesObject } from "../../components/kubernetes-object";
import { describeWithApiServer } from "../support/envtest/shared-api-server";
import { applyStrict, ensurePreexistingNamespaces, uninstall } from "../support/envtest/server-side-apply";
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { loadStackText } from "../../stacks/load-config";
import { PROJECT_DIR, projectStack } from "../support/stacks";
import { breakGlassConfig, entry } from "../support/break-glass-fixtures";

const TENANT = "payments";
const GATEWAY_NS = "istio-egress";
const ROOT_NS = "istio-system";

const object = (
  apiVersion: string,
  kind: string,
  namespace: string | undefined,
  name: string,
  rest: object,
) =>
  ({
    apiVersion,
    kind,
    metadata: { name, ...(namespace ? { namespace } : {}) },
    ...rest,
  }) as KubernetesObject;
const gateway = (namespace: string, selector: Record<string, string> | undefined) =>
  object("networking.istio.io/v1", "Gateway", namespace, "edge", {
    spec: {
      ...(selector ? { selector } : {}),
      servers: [
        {
          port: { number: 443, name: "tls", protocol: "TLS" },
          hosts: ["*/x.example.com"],
          tls: { mode: "PASSTHROUGH" },
        },
      ],
    },
  });
const serviceEntry = (spec: object) =>
  object("networking.istio.io/v1", "ServiceEntry", TENANT, "extra", {
    spec: {
      hosts: ["ledger.example.net"],
      ports: [{ number: 443, name: "tls", protocol: "TLS" }],
      resolution: "DNS",
      ...spec,
    },
  });
const egressPolicy = (namespace: string, egress: object[]) =>
  object("networking.k8s.io/v1", "NetworkPolicy", namespace, "extra-egress", {
    spec: { podSelector: {}, policyTypes: ["Egress"], egress },
  });
const destinationRule = (host: string) =>
  object("networking.istio.io/v1", "DestinationRule", TENANT, "extra", { spec: { host } });
const envoyFilter = (namespace: string, labels: Record<string, string> | undefined) =>
  object("networking.istio.io/v1alpha3", "EnvoyFilter", namespace, "extra", {
    spec: {
      ...(labels ? { workloadSelector: { labels } } : {}),
      configPatches: [{ applyTo: "NETWORK_FILTER", patch: { operation: "REMOVE" } }],
    },
  });
const sidecar = (spec: object) => object("networking.istio.io/v1", "Sidecar", TENANT, "extra", { spec });
const pod = (namespace: string, metadata: object) =>
  ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "app", namespace, ...metadata },
    spec: { containers: [{ name: "app", image: "registry.example/app:1" }] },
  }) as KubernetesObject;
const deployment = (annotations: Record<string, string>) =>
  object("apps/v1", "Deployment", TENANT, "app", {
    spec: {
      selector: { matchLabels: { app: "app" } },
      template: {
        metadata: { labels: { app: "app" }, annotations },
        spec: { containers: [{ name: "app", image: "registry.example/app:1" }] },
      },
    },
  });
const namespace = (name: string, labels: Record<string, string>) =>
  object("v1", "Namespace", undefined, name, { metadata: { name, labels } });

/** Bindings reach the admission chain through an informer: wait until the probe sees them (10 s at most). */
async function untilEnforced(probe: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 40; attempt++) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error("the guardrails never took effect");
}

const hijack = () => gateway(TENANT, { istio: "egressgateway" });

/** The user the suite's kubectl runs as (its client certificate's CN): the deployer, as `pulumi up` would be. */
const ENVTEST_USER = "envtest-admin";

/** The prod stack with the suite's user as the only break-glass requester, rendered. */
function prodRender(): KubernetesObject[] {
  const file = path.join(PROJECT_DIR, "Pulumi.prod.yaml");
  const stack = parse(fs.readFileSync(file, "utf8")) as { config: Record<string, any> };
  stack.config["mesh-egress:guardrails"] = {
    ...(stack.config["mesh-egress:guardrails"] ?? {}),
    breakGlassRequesters: [ENVTEST_USER],
  };
  return renderDocuments(loadStackText(stringify(stack), file, PROJECT_DIR));
}

/** RFC 3339, `hours` from the real clock: the API server judges break-glass against its own creationTimestamp. */
const fromNow = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

/** What active entries render (a `direct` one for payments, a grant of a service and one of a new host), at the real clock. */
const breakGlassObjects = (): KubernetesObject[] =>
  renderDocuments(
    breakGlassConfig(
      {
        breakGlass: [
          entry({ expiresAt: fromNow(6) }),
          entry({
            id: "stripe-for-assistant",
            expiresAt: fromNow(6),
            scope: { grant: { tenant: "assistant", service: "stripe" } },
          }),
          entry({
            id: "newpartner",
            expiresAt: fromNow(6),
            scope: {
              grant: {
                tenant: "assistant",
                destination: { host: "api.newpartner.example", mode: "originate" },
              },
            },
          }),
          // A TLS one too: an HTTP host joins the shared HTTP Gateway, a TLS host brings its own, per tenant.
          entry({
            id: "newpartner-tls",
            expiresAt: fromNow(6),
            scope: {
              grant: {
                tenant: "assistant",
                destination: { host: "files.newpartner.example", port: 443, mode: "passthrough-mtls" },
              },
            },
          }),
        ],
      },
      "prod",
      new Date().toISOString(),
    ),
  ).filter((o) => o.metadata.labels?.["mesh-egress.io/break-glass"]);

/** The `direct` entry's NetworkPolicy for payments, with its metadata and first egress rule changed. */
function directPolicy(
  change: (metadata: Record<string, any>, rule: Record<string, any>) => void = () => undefined,
): KubernetesObject {
  const policy = structuredClone(
    breakGlassObjects().find((o) => o.kind === "NetworkPolicy" && o.metadata.namespace === TENANT)!,
  );
  change(policy.metadata as Record<string, any>, (policy.spec as any).egress[0]);
  return policy;
}

interface Case {
  readonly guardrail: string;
  readonly weakening: string;
  readonly denied: KubernetesObject;
  readonly neighbour: string;
  readonly admitted: KubernetesObject;
}

/** One weakening per guardrail clause, each beside the compliant object it must not catch. */
const CASES: readonly Case[] = [
  {
    guardrail: "gateway-selector",
    weakening: "a tenant Gateway selecting the egress gateway pods",
    denied: gateway(TENANT, { istio: "egressgateway" }),
    neighbour: "a Gateway in the gateway namespace",
    admitted: gateway(GATEWAY_NS, { istio: "egressgateway" }),
  },
  {
    guardrail: "gateway-selector",
    weakening: "a Gateway with an empty selector in a namespace that is not a tenant",
    denied: gateway("default", undefined),
    neighbour: "a tenant Gateway selecting its own ingress pods",
    admitted: gateway(TENANT, { istio: "payments-ingress" }),
  },
  {
    guardrail: "service-entry-registry",
    weakening: "a tenant ServiceEntry with the default location, MESH_EXTERNAL",
    denied: serviceEntry({}),
    neighbour: "a MESH_INTERNAL ServiceEntry exported to its own namespace",
    admitted: serviceEntry({ location: "MESH_INTERNAL", exportTo: ["."] }),
  },
  {
    guardrail: "service-entry-registry",
    weakening: "a MESH_INTERNAL ServiceEntry exported to the gateway namespace",
    denied: serviceEntry({ location: "MESH_INTERNAL", exportTo: [".", GATEWAY_NS] }),
    neighbour: "a MESH_EXTERNAL ServiceEntry in the gateway namespace (the registry's own place)",
    admitted: { ...serviceEntry({}), metadata: { name: "extra", namespace: GATEWAY_NS } },
  },
  {
    guardrail: "network-policy-internal-egress",
    weakening: "a tenant NetworkPolicy opening 0.0.0.0/0",
    denied: egressPolicy(TENANT, [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }]),
    neighbour: "a tenant NetworkPolicy to an in-cluster range and namespace",
    admitted: egressPolicy(TENANT, [
      { to: [{ ipBlock: { cidr: "10.20.0.0/16" } }, { namespaceSelector: {} }] },
    ]),
  },
  {
    guardrail: "network-policy-internal-egress",
    weakening: "a tenant NetworkPolicy egress rule with no `to` (every destination)",
    denied: egressPolicy(TENANT, [{ ports: [{ protocol: "TCP", port: 443 }] }]),
    neighbour: "the same policy in a namespace that is not a tenant",
    admitted: egressPolicy("default", [{ ports: [{ protocol: "TCP", port: 443 }] }]),
  },
  {
    guardrail: "network-policy-internal-egress",
    weakening: "a tenant NetworkPolicy opening public IPv6 space",
    denied: egressPolicy(TENANT, [{ to: [{ ipBlock: { cidr: "2000::/3" } }] }]),
    neighbour: "a tenant NetworkPolicy to unique-local IPv6",
    admitted: egressPolicy(TENANT, [{ to: [{ ipBlock: { cidr: "fd00:10::/64" } }] }]),
  },
  {
    guardrail: "network-policy-internal-egress",
    weakening: "a break-glass direct NetworkPolicy without its break-glass label and annotations",
    denied: directPolicy((metadata) => {
      delete metadata.labels;
      delete metadata.annotations;
    }),
    neighbour: "the NetworkPolicy an active break-glass direct entry renders",
    admitted: directPolicy(),
  },
  {
    guardrail: "network-policy-internal-egress",
    weakening: "a break-glass direct NetworkPolicy whose expires-at has passed",
    denied: directPolicy((metadata) => (metadata.annotations["mesh-egress.io/expires-at"] = fromNow(-1))),
    neighbour: "the same policy expiring within the hour",
    admitted: directPolicy((metadata) => (metadata.annotations["mesh-egress.io/expires-at"] = fromNow(0.5))),
  },
  {
    guardrail: "network-policy-internal-egress",
    weakening: "a break-glass direct NetworkPolicy expiring beyond prod's 24h",
    denied: directPolicy((metadata) => (metadata.annotations["mesh-egress.io/expires-at"] = fromNow(25))),
    neighbour: "the same policy expiring in 23h",
    admitted: directPolicy((metadata) => (metadata.annotations["mesh-egress.io/expires-at"] = fromNow(23))),
  },
  {
    guardrail: "network-policy-internal-egress",
    weakening: "a break-glass direct NetworkPolicy whose expires-at is not RFC 3339",
    denied: directPolicy((metadata) => (metadata.annotations["mesh-egress.io/expires-at"] = "tomorrow")),
    neighbour: "the same policy with an RFC 3339 offset other than Z",
    admitted: directPolicy(
      (metadata) =>
        (metadata.annotations["mesh-egress.io/expires-at"] = new Date(Date.now() + 3 * 3_600_000)
          .toISOString()
          .replace(/\.\d+Z$/, "+00:00")),
    ),
  },
  {
    guardrail: "network-policy-internal-egress",
    weakening:
      "a break-glass direct NetworkPolicy whose expires-at has a lowercase t and z, which CEL's timestamp() cannot read",
    denied: directPolicy(
      (metadata) =>
        (metadata.annotations["mesh-egress.io/expires-at"] = fromNow(3).replace("T", "t").replace("Z", "z")),
    ),
    neighbour: "the same policy with an uppercase T and Z",
    admitted: directPolicy((metadata) => (metadata.annotations["mesh-egress.io/expires-at"] = fromNow(3))),
  },
  {
    guardrail: "network-policy-internal-egress",
    weakening: "a break-glass direct NetworkPolicy without a ticket",
    denied: directPolicy((metadata) => delete metadata.annotations["mesh-egress.io/ticket"]),
    neighbour: "a break-glass NetworkPolicy that opens nothing public, with a ticket",
    admitted: directPolicy((_, rule) => (rule.to = [{ namespaceSelector: {} }])),
  },
  {
    guardrail: "network-policy-internal-egress",
    weakening: "a break-glass direct NetworkPolicy that no longer excepts the internal ranges",
    denied: directPolicy((_, rule) => delete rule.to[0].ipBlock.except),
    neighbour: "the rendered policy (internal ranges excepted)",
    admitted: directPolicy(),
  },
  {
    guardrail: "network-policy-internal-egress",
    weakening: "a break-glass direct NetworkPolicy open on every port",
    denied: directPolicy((_, rule) => delete rule.ports),
    neighbour: "the rendered policy (its services' ports only)",
    admitted: directPolicy(),
  },
  {
    guardrail: "network-policy-internal-egress",
    weakening: "a break-glass NetworkPolicy labelled with the grant scope (grants go through the gateway)",
    denied: directPolicy((metadata) => (metadata.labels["mesh-egress.io/break-glass-scope"] = "grant")),
    neighbour: "the rendered direct policy",
    admitted: directPolicy(),
  },
  {
    guardrail: "destination-rule-gateway-host",
    weakening: "a tenant DestinationRule for the gateway's Service",
    denied: destinationRule("istio-egressgateway.istio-egress.svc.cluster.local"),
    neighbour: "a tenant DestinationRule for its own service",
    admitted: destinationRule("ledger.payments.svc.cluster.local"),
  },
  {
    guardrail: "destination-rule-gateway-host",
    weakening: "a tenant DestinationRule whose wildcard covers the gateway's Service",
    denied: destinationRule("*.istio-egress.svc.cluster.local"),
    neighbour: "a tenant DestinationRule whose wildcard covers only its own namespace",
    admitted: destinationRule("*.payments.svc.cluster.local"),
  },
  {
    guardrail: "envoy-filter-gateway",
    weakening: "an EnvoyFilter selecting the egress gateway pods",
    denied: envoyFilter(TENANT, { istio: "egressgateway" }),
    neighbour: "a tenant EnvoyFilter selecting its own workload",
    admitted: envoyFilter(TENANT, { app: "ledger" }),
  },
  {
    guardrail: "envoy-filter-gateway",
    weakening: "an EnvoyFilter without a selector in the root namespace (every proxy)",
    denied: envoyFilter(ROOT_NS, undefined),
    neighbour: "an EnvoyFilter without a selector in the gateway namespace",
    admitted: envoyFilter(GATEWAY_NS, undefined),
  },
  {
    guardrail: "sidecar-registry-only",
    weakening: "a tenant Sidecar with ALLOW_ANY",
    denied: sidecar({
      workloadSelector: { labels: { app: "ledger" } },
      outboundTrafficPolicy: { mode: "ALLOW_ANY" },
    }),
    neighbour: "a tenant Sidecar with REGISTRY_ONLY",
    admitted: sidecar({
      workloadSelector: { labels: { app: "ledger" } },
      outboundTrafficPolicy: { mode: "REGISTRY_ONLY" },
    }),
  },
  {
    guardrail: "sidecar-registry-only",
    weakening: "a Sidecar selecting the egress gateway pods",
    denied: sidecar({ workloadSelector: { labels: { istio: "egressgateway" } } }),
    neighbour: "a Sidecar selecting the gateway's labels plus one it lacks",
    admitted: sidecar({ workloadSelector: { labels: { istio: "egressgateway", app: "ledger" } } }),
  },
  {
    guardrail: "tenant-pod-interception",
    weakening: 'a tenant pod with sidecar.istio.io/inject: "false"',
    denied: pod(TENANT, { labels: { "sidecar.istio.io/inject": "false" } }),
    neighbour: "the same pod in a namespace that is not a tenant",
    admitted: pod("default", { labels: { "sidecar.istio.io/inject": "false" } }),
  },
  {
    guardrail: "tenant-pod-interception",
    weakening: "a tenant Deployment whose pods exclude outbound ranges from the sidecar",
    denied: deployment({ "traffic.sidecar.istio.io/excludeOutboundIPRanges": "0.0.0.0/0" }),
    neighbour: "a tenant Deployment excluding an inbound port",
    admitted: deployment({ "traffic.sidecar.istio.io/excludeInboundPorts": "9090" }),
  },
  {
    guardrail: "tenant-namespace-interception",
    weakening: "a tenant namespace switching injection off",
    denied: namespace(TENANT, { "mesh-egress.io/tenant": TENANT, "istio-injection": "disabled" }),
    neighbour: "a namespace that is not a tenant switching injection off",
    admitted: namespace("batch-jobs", { "istio-injection": "disabled" }),
  },
];

describeWithApiServer(
  "admission guardrails of the prod render, on a real API server with no istiod at all",
  (server) => {
    let documents: KubernetesObject[];

    before(async function () {
      this.timeout(120_000);
      documents = prodRender();
      // The cases' namespaces too: the root namespace exists wherever istiod runs.
      await ensurePreexistingNamespaces(server(), [
        ...documents,
        ...CASES.flatMap((c) => [c.denied, c.admitted]),
      ]);
      await applyStrict(server(), documents);
      await untilEnforced(async () =>
        applyStrict(server(), [hijack()], { dryRun: true }).then(
          () => false,
          () => true,
        ),
      );
    });
    after(async function () {
      this.timeout(120_000);
      await uninstall(server(), documents);
    });

    it("denies the break-glass NetworkPolicy an active entry renders when someone else than the requesters creates it", async () => {
      // Same RBAC (system:masters), another name: only the guardrail can refuse it.
      const result = await server().kubectl(
        [
          "apply",
          "--server-side",
          "--dry-run=server",
          "--as=payments-admin",
          "--as-group=system:masters",
          "-f",
          "-",
        ],
        JSON.stringify(directPolicy()),
      );
      assert.notEqual(result.status, 0);
      assert.match(
        result.stderr,
        /ValidatingAdmissionPolicy 'mesh-egress-network-policy-internal-egress'.*requester in guardrails\.breakGlassRequesters \(envtest-admin\)/s,
      );
    });

    it("admits the direct NetworkPolicy of an entry whose expiresAt is written with a lowercase t and z, as RFC 3339 allows", async () => {
      const lowercase = fromNow(6).replace("T", "t").replace("Z", "z");
      const policy = renderDocuments(
        breakGlassConfig({ breakGlass: [entry({ expiresAt: lowercase })] }, "prod", new Date().toISOString()),
      ).find((o) => o.kind === "NetworkPolicy" && o.metadata.labels?.["mesh-egress.io/break-glass"])!;
      const applied = await applyStrict(server(), [policy], { dryRun: true });
      assert.equal(applied.size, 1);
    });

    it("admits every object active break-glass entries render (direct, grant, grant of a new host), strictly validated", async () => {
      const objects = breakGlassObjects();
      assert.deepEqual([...new Set(objects.map((o) => o.kind))].sort(), [
        "AuthorizationPolicy",
        "DestinationRule",
        "Gateway",
        "NetworkPolicy",
        "ServiceEntry",
        "VirtualService",
      ]);
      const applied = await applyStrict(server(), objects, { dryRun: true });
      assert.equal(applied.size, objects.length);
    });

    for (const c of CASES) {
      it(`${c.guardrail}: denies ${c.weakening}, naming the rule and the fix`, async () => {
        await assert.rejects(applyStrict(server(), [c.denied], { dryRun: true }), (err: Error) => {
          assert.match(err.message, new RegExp(`ValidatingAdmissionPolicy 'mesh-egress-${c.guardrail}'`));
          assert.match(err.message, new RegExp(`mesh-egress guardrail ${c.guardrail}: .*Fix: `));
          return true;
        });
      });
      it(`${c.guardrail}: admits ${c.neighbour}`, async () => {
        const applied = await applyStrict(server(), [c.admitted], { dryRun: true });
        assert.equal(applied.size, 1);
      });
    }
  },
);

describeWithApiServer("admission guardrails of the dev render, on a real API server", (server) => {
  let documents: KubernetesObject[];

  before(async function () {
    this.timeout(120_000);
    documents = renderDocuments(projectStack("dev"));
    await ensurePreexistingNamespaces(server(), documents);
    await applyStrict(server(), documents);
    await untilEnforced(async () => (await hijackDryRun()).stderr.includes("Warning"));
  });
  after(async function () {
    this.timeout(120_000);
    await uninstall(server(), documents);
  });
  const hijackDryRun = () =>
    server().kubectl(["apply", "--server-side", "--dry-run=server", "-f", "-"], JSON.stringify(hijack()));

  it("warns about a hijacking Gateway (Warn + Audit) instead of refusing it", async () => {
    const result = await hijackDryRun();
    assert.equal(result.status, 0, result.stderr);
    assert.match(
      result.stderr,
      /Warning: Validation failed for ValidatingAdmissionPolicy 'mesh-egress-gateway-selector'/,
    );
  });
});
