import { strict as assert } from "assert";
import * as path from "path";
import { buildEgressReport } from "../cli/egress-report";
import { renderDocuments } from "../cli/render";
import { TraceResult, tracePath } from "../cli/trace-path";
import type { KubernetesObject } from "../policy/contract";
import { loadStackFile } from "../stacks/load-config";
import { breakGlassConfig, entry, hoursFromNow, NOW } from "./support/break-glass-fixtures";
import { PROJECT_DIR } from "./support/stacks";

type Mutable = any;

const SHIPPED = ["dev", "prod", "prod-eu", "prod-us"] as const;

function rendered(stack: string): { objects: KubernetesObject[]; config: ReturnType<typeof loadStackFile> } {
  const config = loadStackFile(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`));
  return { config, objects: JSON.parse(JSON.stringify(renderDocuments(config))) as KubernetesObject[] };
}

const trace = (objects: readonly KubernetesObject[], from: string, to: string, now?: string): TraceResult => {
  const [namespace = "", serviceAccount = "default"] = from.split("/");
  const [host = "", port] = to.split(":");
  return tracePath(objects, {
    namespace,
    serviceAccount,
    host,
    ...(port ? { port: Number(port) } : {}),
    ...(now ? { now: Date.parse(now) } : {}),
  });
};

const find = (objects: KubernetesObject[], kind: string, namespace: string, name?: string): Mutable => {
  const found = objects.find(
    (o) =>
      o.kind === kind &&
      o.metadata.namespace === namespace &&
      (name === undefined || o.metadata.name === name),
  );
  if (!found) throw new Error(`no ${kind} ${namespace}/${name ?? "*"} in the render`);
  return found;
};

describe("mesh-egress trace over the shipped stacks", function () {
  this.timeout(60_000);
  for (const stack of SHIPPED) {
    it(`allows every tenant × registered host × port of ${stack} exactly when report lists the grant`, () => {
      const { config, objects } = rendered(stack);
      const granted = new Set(
        buildEgressReport(config, stack).grants.map((g) => `${g.tenant} ${g.host}:${g.gatewayPort}`),
      );
      const tried: string[] = [];
      const allowed: string[] = [];
      for (const tenant of config.tenants) {
        for (const entryObject of objects.filter((o) => o.kind === "ServiceEntry")) {
          const spec = entryObject.spec as { hosts: string[]; ports: { number: number }[] };
          for (const host of spec.hosts) {
            for (const { number } of spec.ports) {
              const key = `${tenant.namespace} ${host}:${number}`;
              tried.push(key);
              const result = trace(objects, tenant.namespace, `${host}:${number}`);
              if (result.outcome.kind === "allowed") allowed.push(key);
              assert.notEqual(result.outcome.kind, "bypass", `${key} bypasses the gateway in ${stack}`);
            }
          }
        }
      }
      assert.ok(granted.size > 0 && tried.length > granted.size, `${stack} has grants and non-grants to try`);
      assert.deepEqual(allowed.sort(), [...granted].sort());
    });
  }

  it("names the allow entry to add when a tenant tries a registered service it is not granted", () => {
    const result = trace(rendered("prod").objects, "storefront", "api.stripe.com:443");
    assert.equal(result.outcome.kind, "denied");
    assert.deepEqual(
      result.outcome.kind === "denied" && [result.outcome.hop, result.outcome.object, result.outcome.fix],
      [
        "registry",
        "ServiceEntry istio-egress/stripe",
        "add stripe to the allow list of tenant storefront (tenants[].allow in the stack file)",
      ],
    );
  });

  it("walks a granted originate path through every hop to the SIMPLE origination and the tenant's bucket", () => {
    const result = trace(rendered("prod").objects, "assistant/chat", "api.openai.com");
    assert.equal(result.to, "api.openai.com:80");
    assert.deepEqual(
      result.hops.map((h) => [h.hop, h.verdict, h.object]),
      [
        ["sidecar", "pass", "Sidecar assistant/default"],
        ["registry", "pass", "ServiceEntry istio-egress/openai"],
        ["mesh route", "pass", "VirtualService istio-egress/openai"],
        ["subset", "pass", "DestinationRule istio-egress/istio-egressgateway"],
        ["tenant network policy", "pass", "NetworkPolicy assistant/egress-via-gateway"],
        ["gateway server", "pass", "Gateway istio-egress/openai"],
        ["gateway route", "pass", "VirtualService istio-egress/openai"],
        ["gateway network policy (in)", "pass", "NetworkPolicy istio-egress/istio-egressgateway"],
        ["authorization", "pass", "AuthorizationPolicy istio-egress/tenant-assistant"],
        ["rate limit", "note", "EnvoyFilter istio-egress/istio-egressgateway-http-rate-limits"],
        ["origination", "pass", "DestinationRule istio-egress/openai-origination"],
        ["gateway network policy (out)", "pass", "NetworkPolicy istio-egress/istio-egressgateway"],
      ],
    );
    assert.match(result.hops[3]?.detail ?? "", /cluster\.local\/ns\/assistant\/sa\/chat/);
    assert.match(result.hops[9]?.detail ?? "", /descriptor tenant=assistant, service=openai/);
    assert.deepEqual(result.outcome, {
      kind: "allowed",
      summary: "allowed through the gateway (istio-egress/openai)",
    });
  });

  it("denies an unregistered host at the registry, the REGISTRY_ONLY Sidecar sending it to BlackHoleCluster", () => {
    const result = trace(rendered("prod").objects, "payments", "pastebin.com:443");
    assert.equal(result.outcome.kind === "denied" && result.outcome.object, "Sidecar payments/default");
    assert.match(result.outcome.kind === "denied" ? result.outcome.fix : "", /register pastebin\.com/);
  });
});

describe("mesh-egress trace over weakened prod renders", function () {
  this.timeout(60_000);
  let prod: KubernetesObject[];
  before(() => (prod = rendered("prod").objects));
  const copy = (): Mutable[] => JSON.parse(JSON.stringify(prod)) as Mutable[];

  it("shows a tenant NetworkPolicy opened to 0.0.0.0/0 as a bypass named like the lint finding", () => {
    const objects = copy();
    find(objects, "NetworkPolicy", "payments").spec.egress.push({ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] });
    for (const to of ["pastebin.com:443", "api.stripe.com:443"]) {
      const outcome = trace(objects, "payments", to).outcome;
      assert.deepEqual(
        outcome.kind === "bypass" && [outcome.finding, outcome.object],
        ["network-policy-no-internet-egress", "NetworkPolicy payments/egress-via-gateway"],
        to,
      );
    }
    assert.equal(trace(objects, "assistant", "api.openai.com").outcome.kind, "allowed");
  });

  it("shows a deleted tenant NetworkPolicy as a bypass for every pod without its sidecar", () => {
    const objects = copy().filter(
      (o) => !(o.kind === "NetworkPolicy" && o.metadata.namespace === "storefront"),
    );
    const outcome = trace(objects, "storefront", "pastebin.com:443").outcome;
    assert.equal(outcome.kind === "bypass" && outcome.finding, "tenant-egress-default-deny");
  });

  it("denies at the registry a host the Sidecar imports but the ServiceEntry is not exported to", () => {
    const objects = copy();
    find(objects, "Sidecar", "storefront").spec.egress[0].hosts.push("istio-egress/*");
    const outcome = trace(objects, "storefront", "api.stripe.com:443").outcome;
    assert.deepEqual(outcome.kind === "denied" && [outcome.hop, outcome.reason], [
      "registry",
      "ServiceEntry istio-egress/stripe registers api.stripe.com but is not exported to storefront, and the Sidecar is REGISTRY_ONLY",
    ]);
  });

  it("denies a TLS service authorized by HTTP host instead of SNI: Istio drops that ALLOW rule on TCP", () => {
    const objects = copy();
    const rule = find(objects, "AuthorizationPolicy", "istio-egress", "tenant-payments").spec.rules[0];
    rule.to = [{ operation: { hosts: rule.when[0].values } }];
    delete rule.when;
    const outcome = trace(objects, "payments", "api.stripe.com:443").outcome;
    assert.deepEqual(outcome.kind === "denied" && [outcome.hop, outcome.object], [
      "authorization",
      "AuthorizationPolicy istio-egress/tenant-payments",
    ]);
    assert.equal(trace(objects, "payments", "acme.eu.auth0.com:443").outcome.kind, "allowed");
  });

  it("shows a widened registry, Sidecar and AuthorizationPolicy together as the path they open", () => {
    const objects = copy();
    const before = trace(objects, "payments", "api.openai.com").outcome;
    assert.equal(before.kind === "denied" && before.hop, "registry");
    find(objects, "ServiceEntry", "istio-egress", "openai").spec.exportTo = ["*"];
    find(objects, "VirtualService", "istio-egress", "openai").spec.exportTo = ["*"];
    find(objects, "Sidecar", "payments").spec.egress[0].hosts.push("istio-egress/*");
    const middle = trace(objects, "payments", "api.openai.com").outcome;
    assert.deepEqual(middle.kind === "denied" && [middle.hop, middle.object], [
      "authorization",
      "AuthorizationPolicy istio-egress/tenant-payments",
    ]);
    find(objects, "AuthorizationPolicy", "istio-egress", "tenant-payments").spec.rules.push({});
    assert.equal(trace(objects, "payments", "api.openai.com").outcome.kind, "allowed");
  });

  it("denies at the gateway server when no server of the egress Gateway listens on the port the subset sends to", () => {
    const objects = copy();
    const server = find(objects, "Gateway", "istio-egress", "stripe").spec.servers[0];
    server.port.number = 8443;
    const outcome = trace(objects, "payments", "api.stripe.com:443").outcome;
    assert.deepEqual(outcome.kind === "denied" && [outcome.hop], ["gateway server"]);
  });
});

/** A MESH_EXTERNAL ServiceEntry for one host on TLS 443, `ns/name`. */
function tlsEntry(ref: string, host: string, extra: Record<string, unknown> = {}): KubernetesObject {
  const [namespace, name] = ref.split("/");
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "ServiceEntry",
    metadata: { name: name ?? "", namespace: namespace ?? "" },
    spec: {
      hosts: [host],
      location: "MESH_EXTERNAL",
      resolution: "DNS",
      ports: [{ number: 443, name: "tls", protocol: "TLS" }],
      ...extra,
    },
  };
}

describe("mesh-egress trace over hostile manifests", function () {
  this.timeout(60_000);
  const hostile = (extra: KubernetesObject[]): KubernetesObject[] => [...rendered("prod").objects, ...extra];

  it("traces an ALLOW_ANY Sidecar in a namespace without an egress NetworkPolicy as a bypass", () => {
    const objects = hostile([
      {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: "batch", labels: { "istio-injection": "enabled" } },
      },
      {
        apiVersion: "networking.istio.io/v1",
        kind: "Sidecar",
        metadata: { name: "default", namespace: "batch" },
        spec: { outboundTrafficPolicy: { mode: "ALLOW_ANY" } },
      },
    ]);
    const result = trace(objects, "batch", "pastebin.com:443");
    assert.deepEqual(
      result.outcome.kind === "bypass" && [result.outcome.finding, result.hops.map((h) => h.verdict)],
      ["sidecar-registry-only", ["note", "bypass", "bypass"]],
    );
  });

  it("denies an ALLOW_ANY Sidecar's passthrough at the tenant NetworkPolicy that still isolates the namespace", () => {
    const objects = hostile([]);
    find(objects, "Sidecar", "payments").spec.outboundTrafficPolicy.mode = "ALLOW_ANY";
    const outcome = trace(objects, "payments", "pastebin.com:443").outcome;
    assert.deepEqual(outcome.kind === "denied" && [outcome.hop, outcome.object], [
      "tenant network policy (direct)",
      "NetworkPolicy payments/egress-via-gateway",
    ]);
  });

  it("prefers the caller's own ServiceEntry for a host registered twice (Istio's same-namespace rule)", () => {
    const objects = hostile([tlsEntry("payments/own-stripe", "api.stripe.com")]);
    const registry = trace(objects, "payments", "api.stripe.com:443").hops.find((h) => h.hop === "registry");
    assert.equal(registry?.object, "ServiceEntry payments/own-stripe");
  });

  it("matches a wildcard ServiceEntry only when the Sidecar imports the wildcard itself", () => {
    const wildcard = tlsEntry("istio-egress/cdn", "*.cdn.example.com", { exportTo: [".", "payments"] });
    const byName = hostile([wildcard]);
    find(byName, "Sidecar", "payments").spec.egress[0].hosts.push("istio-egress/img.cdn.example.com");
    assert.equal(trace(byName, "payments", "img.cdn.example.com:443").hops[1]?.verdict, "deny");
    const byWildcard = hostile([wildcard]);
    find(byWildcard, "Sidecar", "payments").spec.egress[0].hosts.push("istio-egress/*.cdn.example.com");
    assert.equal(
      trace(byWildcard, "payments", "img.cdn.example.com:443").hops[1]?.object,
      "ServiceEntry istio-egress/cdn",
    );
  });
});

describe("mesh-egress trace and break-glass entries at --now", function () {
  this.timeout(60_000);

  it("shows an active direct entry as a bypass named after the entry, and nothing once it has expired", () => {
    const objects = JSON.parse(
      JSON.stringify(
        renderDocuments(breakGlassConfig({ breakGlass: [entry({ expiresAt: hoursFromNow(6) })] })),
      ),
    ) as KubernetesObject[];
    const active = trace(objects, "payments", "pastebin.com:443", NOW).outcome;
    assert.match(active.kind === "bypass" ? active.finding : "", /^break-glass gw-outage \(direct, until /);
    const later = trace(objects, "payments", "pastebin.com:443", hoursFromNow(7)).outcome;
    assert.equal(later.kind, "denied");
  });
});
