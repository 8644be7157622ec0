import { strict as assert } from "assert";
import { syntheticCrdDirectory } from "../support/synthetic-crd";
import * as fs from "fs";
import * as path from "path";
import {
  ConformanceOutcome,
  describeWithUpstreamSchemas,
  formatOutcome,
  issuesOf,
  loadCrdCatalog,
  SchemaIssue,
} from "../support/upstream-schemas";

type Spec = Record<string, unknown>;

/** One CEL rule of Istio's CRDs: a sample it rejects at `path`, and the nearest sample it accepts. */
interface RuleCase {
  readonly message: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly path: string;
  readonly bad: Spec;
  readonly good: Spec;
}

const WASM_URL = "oci://ghcr.io/example/filter:1.0";
const GATEWAY_SELECTOR = { matchLabels: { istio: "egressgateway" } };
const GATEWAY_REF = { kind: "Gateway", group: "gateway.networking.k8s.io", name: "egress" };
const TLS_PORTS = [{ number: 443, name: "tls", protocol: "TLS" }];
const staticEntry = (extra: Spec): Spec => ({
  hosts: ["vm.example.internal"],
  location: "MESH_INTERNAL",
  ports: TLS_PORTS,
  ...extra,
});
const waypointPatch = (match: Spec): Spec => ({
  configPatches: [{ applyTo: "HTTP_FILTER", match, patch: { operation: "MERGE", value: {} } }],
});
const tagOverride = (override: Spec): Spec => ({
  metrics: [
    { providers: [{ name: "prometheus" }], overrides: [{ tagOverrides: { source_principal: override } }] },
  ],
});
const jwtRule = (rule: Spec): Spec => ({ jwtRules: [{ issuer: "https://issuer.example.com", ...rule }] });

const ISTIO_RULE_CASES: readonly RuleCase[] = [
  {
    message: "only one of targetRefs or selector can be set",
    apiVersion: "extensions.istio.io/v1alpha1",
    kind: "TrafficExtension",
    path: "spec",
    bad: {
      selector: { matchLabels: { app: "api" } },
      targetRefs: [{ kind: "Service", name: "api" }],
      wasm: { url: WASM_URL },
    },
    good: { selector: { matchLabels: { app: "api" } }, wasm: { url: WASM_URL } },
  },
  {
    message: "exactly one of wasm or lua must be set",
    apiVersion: "extensions.istio.io/v1alpha1",
    kind: "TrafficExtension",
    path: "spec",
    bad: { selector: { matchLabels: { app: "api" } } },
    good: {
      selector: { matchLabels: { app: "api" } },
      lua: { inlineCode: "function envoy_on_request(h) end" },
    },
  },
  {
    message: "url must have schema one of [http, https, file, oci]",
    apiVersion: "extensions.istio.io/v1alpha1",
    kind: "TrafficExtension",
    path: "spec.wasm.url",
    bad: { wasm: { url: "ftp://example.com/filter.wasm" } },
    good: { wasm: { url: "ghcr.io/example/filter:1.0" } },
  },
  {
    message: "url must have schema one of [http, https, file, oci]",
    apiVersion: "extensions.istio.io/v1alpha1",
    kind: "WasmPlugin",
    path: "spec.url",
    bad: { url: "ftp://example.com/filter.wasm" },
    good: { url: WASM_URL },
  },
  {
    message: "value may only be set when valueFrom is INLINE",
    apiVersion: "extensions.istio.io/v1alpha1",
    kind: "WasmPlugin",
    path: "spec.vmConfig.env[0]",
    bad: { url: WASM_URL, vmConfig: { env: [{ name: "TOKEN", valueFrom: "HOST", value: "x" }] } },
    good: { url: WASM_URL, vmConfig: { env: [{ name: "TOKEN", valueFrom: "HOST" }] } },
  },
  {
    message: "cross namespace referencing is not currently supported",
    apiVersion: "extensions.istio.io/v1alpha1",
    kind: "WasmPlugin",
    path: "spec.targetRefs[0].namespace",
    bad: { url: WASM_URL, targetRefs: [{ ...GATEWAY_REF, namespace: "other" }] },
    good: { url: WASM_URL, targetRefs: [{ ...GATEWAY_REF, namespace: "" }] },
  },
  {
    message: "only one of targetRefs or selector can be set",
    apiVersion: "security.istio.io/v1",
    kind: "AuthorizationPolicy",
    path: "spec",
    bad: { selector: GATEWAY_SELECTOR, targetRefs: [GATEWAY_REF] },
    good: { selector: GATEWAY_SELECTOR },
  },
  {
    message: "Cannot set serviceAccounts with namespaces or principals",
    apiVersion: "security.istio.io/v1",
    kind: "AuthorizationPolicy",
    path: "spec.rules[0].from[0].source",
    bad: { rules: [{ from: [{ source: { serviceAccounts: ["payments/app"], namespaces: ["payments"] } }] }] },
    good: { rules: [{ from: [{ source: { serviceAccounts: ["payments/app"] } }] }] },
  },
  {
    message: "wildcard not allowed in label key match",
    apiVersion: "networking.istio.io/v1",
    kind: "DestinationRule",
    path: "spec.workloadSelector.matchLabels",
    bad: { host: "api.github.com", workloadSelector: { matchLabels: { "app*": "api" } } },
    good: { host: "api.github.com", workloadSelector: { matchLabels: { app: "api" } } },
  },
  {
    message: "key must not be empty",
    apiVersion: "networking.istio.io/v1",
    kind: "DestinationRule",
    path: "spec.workloadSelector.matchLabels",
    bad: { host: "api.github.com", workloadSelector: { matchLabels: { "": "api" } } },
    good: { host: "api.github.com", workloadSelector: { matchLabels: { app: "api" } } },
  },
  {
    message: "wildcard not allowed in label value match",
    apiVersion: "networking.istio.io/v1",
    kind: "DestinationRule",
    path: "spec.workloadSelector.matchLabels.app",
    bad: { host: "api.github.com", workloadSelector: { matchLabels: { app: "api*" } } },
    good: { host: "api.github.com", workloadSelector: { matchLabels: { app: "api" } } },
  },
  {
    message: "must be a valid duration greater than 1ms",
    apiVersion: "networking.istio.io/v1",
    kind: "DestinationRule",
    path: "spec.trafficPolicy.connectionPool.tcp.connectTimeout",
    bad: { host: "api.github.com", trafficPolicy: { connectionPool: { tcp: { connectTimeout: "500us" } } } },
    good: { host: "api.github.com", trafficPolicy: { connectionPool: { tcp: { connectTimeout: "1.5s" } } } },
  },
  {
    message: "only one of targetRefs or workloadSelector can be set",
    apiVersion: "networking.istio.io/v1alpha3",
    kind: "EnvoyFilter",
    path: "spec",
    bad: { workloadSelector: { labels: { istio: "egressgateway" } }, targetRefs: [GATEWAY_REF] },
    good: { workloadSelector: { labels: { istio: "egressgateway" } } },
  },
  {
    message: "only support waypointMatch when context is WAYPOINT",
    apiVersion: "networking.istio.io/v1alpha3",
    kind: "EnvoyFilter",
    path: "spec.configPatches[0].match",
    bad: waypointPatch({ context: "GATEWAY", waypoint: { portNumber: 8080 } }),
    good: waypointPatch({ context: "WAYPOINT", waypoint: { portNumber: 8080 } }),
  },
  {
    message: "port must be between 1-65535",
    apiVersion: "networking.istio.io/v1alpha3",
    kind: "EnvoyFilter",
    path: "spec.configPatches[0].match.waypoint.portNumber",
    bad: waypointPatch({ context: "WAYPOINT", waypoint: { portNumber: 70000 } }),
    good: waypointPatch({ context: "WAYPOINT", waypoint: { portNumber: 65535 } }),
  },
  {
    message: "only one of credentialNames or tlsCertificates can be set",
    apiVersion: "networking.istio.io/v1",
    kind: "Gateway",
    path: "spec.servers[0].tls",
    bad: {
      servers: [
        {
          port: { number: 443, name: "https", protocol: "HTTPS" },
          hosts: ["istio-egress/api.example.com"],
          tls: {
            mode: "SIMPLE",
            credentialNames: ["egress-cert"],
            tlsCertificates: [{ serverCertificate: "/etc/certs/tls.crt", privateKey: "/etc/certs/tls.key" }],
          },
        },
      ],
    },
    good: {
      servers: [
        {
          port: { number: 443, name: "https", protocol: "HTTPS" },
          hosts: ["istio-egress/api.example.com"],
          tls: { mode: "SIMPLE", credentialNames: ["egress-cert"] },
        },
      ],
    },
  },
  {
    // Istio's message names credentialName, but the rule it guards reads credentialNames + tlsCertificates.
    message: "only one of credentialName or tlsCertificates can be set",
    apiVersion: "networking.istio.io/v1",
    kind: "Gateway",
    path: "spec.servers[0].tls",
    bad: {
      servers: [
        {
          port: { number: 443, name: "https", protocol: "HTTPS" },
          hosts: ["istio-egress/api.example.com"],
          tls: {
            mode: "SIMPLE",
            credentialNames: ["egress-cert"],
            tlsCertificates: [{ serverCertificate: "/etc/certs/tls.crt", privateKey: "/etc/certs/tls.key" }],
          },
        },
      ],
    },
    good: {
      servers: [
        {
          port: { number: 443, name: "https", protocol: "HTTPS" },
          hosts: ["istio-egress/api.example.com"],
          tls: {
            mode: "SIMPLE",
            credentialName: "egress-cert",
            tlsCertificates: [{ serverCertificate: "/c", privateKey: "/k" }],
          },
        },
      ],
    },
  },
  {
    message: "only one of credentialName or credentialNames can be set",
    apiVersion: "networking.istio.io/v1",
    kind: "Gateway",
    path: "spec.servers[0].tls",
    bad: {
      servers: [
        {
          port: { number: 443, name: "https", protocol: "HTTPS" },
          hosts: ["istio-egress/api.example.com"],
          tls: { mode: "SIMPLE", credentialName: "a", credentialNames: ["b"] },
        },
      ],
    },
    good: {
      servers: [
        {
          port: { number: 443, name: "https", protocol: "HTTPS" },
          hosts: ["istio-egress/api.example.com"],
          tls: { mode: "SIMPLE", credentialName: "a" },
        },
      ],
    },
  },
  {
    message: "only one of WorkloadSelector or Endpoints can be set",
    apiVersion: "networking.istio.io/v1",
    kind: "ServiceEntry",
    path: "spec",
    bad: staticEntry({
      resolution: "STATIC",
      workloadSelector: { labels: { app: "vm" } },
      endpoints: [{ address: "10.0.0.1" }],
    }),
    good: staticEntry({ resolution: "STATIC", workloadSelector: { labels: { app: "vm" } } }),
  },
  {
    message: "CIDR addresses are allowed only for NONE/STATIC resolution types",
    apiVersion: "networking.istio.io/v1",
    kind: "ServiceEntry",
    path: "spec",
    bad: staticEntry({ addresses: ["10.0.0.0/24"], resolution: "DNS" }),
    good: staticEntry({ addresses: ["10.0.0.0/24"], resolution: "NONE" }),
  },
  {
    message: "NONE mode cannot set endpoints",
    apiVersion: "networking.istio.io/v1",
    kind: "ServiceEntry",
    path: "spec",
    bad: staticEntry({ resolution: "NONE", endpoints: [{ address: "10.0.0.1" }] }),
    good: staticEntry({ resolution: "STATIC", endpoints: [{ address: "10.0.0.1" }] }),
  },
  {
    message: "DNS_ROUND_ROBIN mode cannot have multiple endpoints",
    apiVersion: "networking.istio.io/v1",
    kind: "ServiceEntry",
    path: "spec",
    bad: staticEntry({
      resolution: "DNS_ROUND_ROBIN",
      endpoints: [{ address: "a.example.com" }, { address: "b.example.com" }],
    }),
    good: staticEntry({ resolution: "DNS_ROUND_ROBIN", endpoints: [{ address: "a.example.com" }] }),
  },
  {
    message: "Address is required",
    apiVersion: "networking.istio.io/v1",
    kind: "ServiceEntry",
    path: "spec.endpoints[0]",
    bad: staticEntry({ resolution: "STATIC", endpoints: [{ labels: { app: "vm" } }] }),
    good: staticEntry({ resolution: "STATIC", endpoints: [{ labels: { app: "vm" }, address: "10.0.0.1" }] }),
  },
  {
    message: "UDS may not include ports",
    apiVersion: "networking.istio.io/v1",
    kind: "ServiceEntry",
    path: "spec.endpoints[0]",
    bad: staticEntry({
      resolution: "STATIC",
      endpoints: [{ address: "unix:///var/run/egress.sock", ports: { tls: 443 } }],
    }),
    good: staticEntry({ resolution: "STATIC", endpoints: [{ address: "unix:///var/run/egress.sock" }] }),
  },
  {
    message: "UDS must be an absolute path or abstract socket",
    apiVersion: "networking.istio.io/v1",
    kind: "ServiceEntry",
    path: "spec.endpoints[0].address",
    bad: staticEntry({ resolution: "STATIC", endpoints: [{ address: "unix://var/run/egress.sock" }] }),
    good: staticEntry({ resolution: "STATIC", endpoints: [{ address: "unix://@egress" }] }),
  },
  {
    message: "UDS may not be a dir",
    apiVersion: "networking.istio.io/v1",
    kind: "ServiceEntry",
    path: "spec.endpoints[0].address",
    bad: staticEntry({ resolution: "STATIC", endpoints: [{ address: "unix:///var/run/" }] }),
    good: staticEntry({ resolution: "STATIC", endpoints: [{ address: "unix:///var/run/egress.sock" }] }),
  },
  {
    message: "port name must be valid",
    apiVersion: "networking.istio.io/v1",
    kind: "ServiceEntry",
    path: "spec.endpoints[0].ports",
    bad: staticEntry({
      resolution: "STATIC",
      endpoints: [{ address: "10.0.0.1", ports: { tls_port: 443 } }],
    }),
    good: staticEntry({
      resolution: "STATIC",
      endpoints: [{ address: "10.0.0.1", ports: { "tls-port": 443 } }],
    }),
  },
  {
    message: "hostname cannot be wildcard",
    apiVersion: "networking.istio.io/v1",
    kind: "ServiceEntry",
    path: "spec.hosts[0]",
    bad: staticEntry({ hosts: ["*"], resolution: "NONE" }),
    good: staticEntry({ hosts: ["*.example.com"], resolution: "NONE" }),
  },
  {
    message: "port number cannot be duplicated",
    apiVersion: "networking.istio.io/v1",
    kind: "ServiceEntry",
    path: "spec.ports",
    bad: staticEntry({
      resolution: "NONE",
      ports: [...TLS_PORTS, { number: 443, name: "https", protocol: "HTTPS" }],
    }),
    good: staticEntry({
      resolution: "NONE",
      ports: [...TLS_PORTS, { number: 80, name: "http", protocol: "HTTP" }],
    }),
  },
  {
    message: "scheme must be one of [HTTP, HTTPS]",
    apiVersion: "networking.istio.io/v1",
    kind: "WorkloadGroup",
    path: "spec.probe.httpGet.scheme",
    bad: { template: { serviceAccount: "vm" }, probe: { httpGet: { port: 8080, scheme: "FTP" } } },
    good: { template: { serviceAccount: "vm" }, probe: { httpGet: { port: 8080, scheme: "HTTPS" } } },
  },
  {
    message: "portLevelMtls requires selector",
    apiVersion: "security.istio.io/v1",
    kind: "PeerAuthentication",
    path: "spec",
    bad: { portLevelMtls: { "8080": { mode: "DISABLE" } } },
    good: { selector: { matchLabels: { app: "api" } }, portLevelMtls: { "8080": { mode: "DISABLE" } } },
  },
  {
    message: "port must be between 1-65535",
    apiVersion: "security.istio.io/v1",
    kind: "PeerAuthentication",
    path: "spec.portLevelMtls",
    bad: { selector: { matchLabels: { app: "api" } }, portLevelMtls: { "0": { mode: "DISABLE" } } },
    good: { selector: { matchLabels: { app: "api" } }, portLevelMtls: { "1": { mode: "DISABLE" } } },
  },
  {
    message: "only one of jwks or jwksUri can be set",
    apiVersion: "security.istio.io/v1",
    kind: "RequestAuthentication",
    path: "spec.jwtRules[0]",
    bad: jwtRule({ jwksUri: "https://issuer.example.com/jwks", jwks: "{}" }),
    good: jwtRule({ jwks: "{}" }),
  },
  {
    message: "url must have scheme http:// or https://",
    apiVersion: "security.istio.io/v1",
    kind: "RequestAuthentication",
    path: "spec.jwtRules[0].jwksUri",
    bad: jwtRule({ jwksUri: "ftp://issuer.example.com/jwks" }),
    good: jwtRule({ jwksUri: "https://issuer.example.com/.well-known/jwks.json" }),
  },
  {
    message: "value must be set when operation is UPSERT",
    apiVersion: "telemetry.istio.io/v1",
    kind: "Telemetry",
    path: "spec.metrics[0].overrides[0].tagOverrides.source_principal",
    bad: tagOverride({ operation: "UPSERT", value: "" }),
    good: tagOverride({ operation: "UPSERT", value: "source.principal" }),
  },
  {
    message: "value must not be set when operation is REMOVE",
    apiVersion: "telemetry.istio.io/v1",
    kind: "Telemetry",
    path: "spec.metrics[0].overrides[0].tagOverrides.source_principal",
    bad: tagOverride({ operation: "REMOVE", value: "source.principal" }),
    good: tagOverride({ operation: "REMOVE" }),
  },
];

function sample(ruleCase: RuleCase, spec: Spec): Record<string, unknown> {
  const metadata = { name: "sample", namespace: "istio-egress" };
  return { apiVersion: ruleCase.apiVersion, kind: ruleCase.kind, metadata, spec };
}

/** Every `x-kubernetes-validations` rule under any key at any depth: no knowledge of schema structure. */
function rulesFoundBlindly(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(rulesFoundBlindly);
  if (typeof node !== "object" || node === null) return [];
  return Object.entries(node).flatMap(([key, value]) => [
    ...(key === "x-kubernetes-validations" && Array.isArray(value) ? value.map((v) => v.rule) : []),
    ...rulesFoundBlindly(value),
  ]);
}

function celIssues(outcome: ConformanceOutcome): SchemaIssue[] {
  return issuesOf(outcome).filter((issue) => issue.rule !== undefined);
}

describeWithUpstreamSchemas("Istio's CEL validation rules (x-kubernetes-validations)", (schemasDir) => {
  const istio = () => loadCrdCatalog(path.join(schemasDir, "istio-1.30.3"));

  // Counts come from the data: adding a CRD to the upstream set adds rules, and each must then be evaluable.
  for (const [title, catalog] of [
    ["Istio's CRDs", istio],
    [
      "every upstream CRD (Istio, cert-manager, prometheus-operator, Flux, network-policy API)",
      () => loadCrdCatalog(schemasDir),
    ],
  ] as const) {
    it(`finds every rule of ${title} that a blind scan of their schemas finds`, () => {
      const scanned = new Set(
        catalog()
          .servedVersions()
          .flatMap((v) => rulesFoundBlindly(v.schema)),
      );
      assert.ok(scanned.size > 0);
      assert.deepEqual(new Set(catalog().celRuleInventory().distinct), scanned);
    });

    it(`evaluates every distinct rule of ${title}, skipping none`, () => {
      const inventory = catalog().celRuleInventory();
      assert.deepEqual(inventory.skipped, []);
      assert.deepEqual(inventory.evaluable, inventory.distinct);
    });
  }

  it("finds the CRD of every YAML file in the upstream set that declares one", () => {
    const sources = new Set(
      loadCrdCatalog(schemasDir)
        .servedVersions()
        .map((v) => v.sourceFile),
    );
    const declaring = (fs.readdirSync(schemasDir, { recursive: true }) as string[])
      .filter((file) => /\.ya?ml$/.test(file))
      .map((file) => path.join(schemasDir, file))
      .filter((file) => /kind:\s*CustomResourceDefinition/.test(fs.readFileSync(file, "utf8")));
    assert.ok(declaring.length > 0);
    assert.deepEqual(sources, new Set(declaring));
  });

  for (const ruleCase of ISTIO_RULE_CASES) {
    describe(`${ruleCase.kind}: "${ruleCase.message}"`, () => {
      it(`rejects the violating sample at ${ruleCase.path}, and only for that rule`, () => {
        const outcome = istio().validate(sample(ruleCase, ruleCase.bad));
        const issues = issuesOf(outcome);
        assert.ok(
          issues.some(
            (issue) => issue.path === ruleCase.path && issue.rule && issue.message.includes(ruleCase.message),
          ),
          formatOutcome(outcome),
        );
        assert.deepEqual(
          issues,
          celIssues(outcome),
          `schema issues besides the CEL rule:\n${formatOutcome(outcome)}`,
        );
      });

      it("accepts the nearest compliant sample", () => {
        const outcome = istio().validate(sample(ruleCase, ruleCase.good));
        assert.equal(outcome.status, "validated", formatOutcome(outcome));
      });
    });
  }

  it("has a violating sample above for every one of Istio's distinct rules", () => {
    const rejectedBy = new Set(
      ISTIO_RULE_CASES.flatMap((ruleCase) =>
        celIssues(istio().validate(sample(ruleCase, ruleCase.bad))).map((i) => i.rule),
      ),
    );
    const untested = istio()
      .celRuleInventory()
      .distinct.filter((rule) => !rejectedBy.has(rule));
    assert.deepEqual(untested, []);
  });

  it("rejects a duplicate name in a list-type map list (WasmPlugin vmConfig.env)", () => {
    const env = [
      { name: "TOKEN", value: "a" },
      { name: "TOKEN", value: "b" },
    ];
    const outcome = istio().validate({
      apiVersion: "extensions.istio.io/v1alpha1",
      kind: "WasmPlugin",
      metadata: { name: "sample", namespace: "istio-egress" },
      spec: { url: WASM_URL, vmConfig: { env } },
    });
    assert.ok(
      issuesOf(outcome).some(
        (i) => i.path === "spec.vmConfig.env[1]" && i.message.startsWith("Duplicate value"),
      ),
      formatOutcome(outcome),
    );
  });
});

describe("CEL rules the harness cannot evaluate", () => {
  // A made-up CRD whose rules exercise every way a rule can escape evaluation: a transition rule, a
  // function the harness does not implement, and a rule that errors at evaluation; plus messageExpression.
  const widgets = () => loadCrdCatalog(syntheticCrdDirectory());
  const widget = (spec: Spec) => ({
    apiVersion: "example.com/v1",
    kind: "Widget",
    metadata: { name: "w", namespace: "default" },
    spec,
  });

  it("lists a transition rule and a rule calling an unknown function as skipped, each with its reason", () => {
    const { skipped, evaluable } = widgets().celRuleInventory();
    assert.deepEqual(
      skipped.map((s) => s.rule),
      ["self.size == oldSelf.size", 'quantity(self.size).isGreaterThan(quantity("1Gi"))'],
    );
    assert.match(skipped[0].reason, /transition rule \(reads oldSelf\)/);
    assert.match(skipped[1].reason, /cannot type-check it: found no matching overload for 'quantity/);
    assert.equal(evaluable.length, 2);
  });

  it("reports the skipped rules on every object they apply to, so a pass never hides them", () => {
    const outcome = widgets().validate(widget({ size: "1Gi", replicas: 3, settings: { mode: "fast" } }));
    assert.equal(outcome.status, "validated", formatOutcome(outcome));
    assert.deepEqual(
      outcome.status === "validated" ? outcome.unevaluatedRules.map((r) => [r.path, r.rule]) : [],
      [
        ["spec", "self.size == oldSelf.size"],
        ["spec", 'quantity(self.size).isGreaterThan(quantity("1Gi"))'],
      ],
    );
  });

  it("uses the rule's messageExpression for the message", () => {
    const outcome = widgets().validate(widget({ size: "1Gi", replicas: 12, settings: { mode: "fast" } }));
    assert.ok(
      issuesOf(outcome).some(
        (i) => i.path === "spec.replicas" && i.message.includes("replicas 12 exceeds 10"),
      ),
      formatOutcome(outcome),
    );
  });

  it("fails an object whose rule errors during evaluation instead of passing it", () => {
    const outcome = widgets().validate(widget({ size: "1Gi", replicas: 3, settings: {} }));
    assert.ok(
      issuesOf(outcome).some(
        (i) => i.path === "spec.settings" && i.message.startsWith("CEL rule could not be evaluated"),
      ),
      formatOutcome(outcome),
    );
  });
});
