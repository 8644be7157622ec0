import { apiServerUnavailableReason } from "../support/envtest/availability";
import { strict as assert } from "assert";
import { fixtureManifest, loadFixtureManifests, Manifest, mutated } from "../support/conformance-fixtures";
import {
  ConformanceOutcome,
  CrdCatalog,
  describeWithUpstreamSchemas,
  formatOutcome,
  issuesOf,
  loadCrdCatalog,
} from "../support/upstream-schemas";

function assertValidated(outcome: ConformanceOutcome): void {
  assert.equal(outcome.status, "validated", formatOutcome(outcome));
}

/** Asserts the object failed with an issue at `path` whose message contains `message`. */
function assertRejected(outcome: ConformanceOutcome, path: string, message: string): void {
  const issues = issuesOf(outcome);
  assert.ok(
    issues.some((issue) => issue.path === path && issue.message.includes(message)),
    `expected an issue at ${path} containing ${JSON.stringify(message)}, got:\n${formatOutcome(outcome)}`,
  );
}

describeWithUpstreamSchemas(
  "upstream CRD schemas (Istio 1.30.3, cert-manager v1.21.1, prometheus-operator v0.93.0, Flux)",
  (schemasDir) => {
    const catalog = (): CrdCatalog => loadCrdCatalog(schemasDir);
    const serviceEntry = (): Manifest => fixtureManifest("istio-compliant.yaml", "ServiceEntry");

    describe("a ServiceEntry", () => {
      it("validates the compliant egress ServiceEntry for api.stripe.com", () => {
        assertValidated(catalog().validate(serviceEntry()));
      });

      it("rejects a misspelled field and names its path, as kubectl --validate=strict does", () => {
        const typo = mutated(serviceEntry(), (se) => {
          se.spec.resolutoin = se.spec.resolution;
          delete se.spec.resolution;
        });
        assertRejected(catalog().validate(typo), "spec.resolutoin", 'unknown field "spec.resolutoin"');
      });

      it("rejects an unknown field nested in a list item", () => {
        const typo = mutated(serviceEntry(), (se) => (se.spec.ports[0].protocl = "TLS"));
        assertRejected(catalog().validate(typo), "spec.ports[0].protocl", "unknown field");
      });

      it("rejects a resolution outside the enum and lists the supported values", () => {
        const outcome = catalog().validate(mutated(serviceEntry(), (se) => (se.spec.resolution = "DNSS")));
        assertRejected(
          outcome,
          "spec.resolution",
          'Unsupported value: "DNSS": supported values: "NONE", "STATIC", "DNS"',
        );
      });

      it("rejects a port number of the wrong type", () => {
        const outcome = catalog().validate(
          mutated(serviceEntry(), (se) => (se.spec.ports[0].number = "443")),
        );
        assertRejected(outcome, "spec.ports[0].number", "must be of type integer (got string)");
      });

      it("rejects a null field, which the API server would silently prune as it prunes unknown fields", () => {
        const outcome = catalog().validate(mutated(serviceEntry(), (se) => (se.spec.location = null)));
        assertRejected(outcome, "spec.location", "must be of type string (got null)");
      });

      it("rejects a ServiceEntry without the required spec", () => {
        assertRejected(
          catalog().validate(mutated(serviceEntry(), (se) => delete se.spec)),
          "spec",
          "Required value",
        );
      });

      it("rejects an unknown top-level field beside spec", () => {
        const outcome = catalog().validate(mutated(serviceEntry(), (se) => (se.specs = {})));
        assertRejected(outcome, "specs", 'unknown field "specs"');
      });

      it("accepts the same object under the served v1beta1 and v1alpha3 versions", () => {
        for (const apiVersion of ["networking.istio.io/v1beta1", "networking.istio.io/v1alpha3"]) {
          assertValidated(catalog().validate(mutated(serviceEntry(), (se) => (se.apiVersion = apiVersion))));
        }
      });
    });

    describe("compliant samples of every Istio kind mesh-egress emits", () => {
      for (const manifest of loadFixtureManifests("istio-compliant.yaml")) {
        it(`validates the ${manifest.apiVersion} ${manifest.kind} ${manifest.metadata.name}`, () => {
          assertValidated(catalog().validate(manifest));
        });
      }

      it("covers DestinationRule, VirtualService, Gateway, Sidecar, AuthorizationPolicy, Telemetry and EnvoyFilter", () => {
        const kinds = new Set(
          loadFixtureManifests("istio-compliant.yaml").map((m) => `${m.apiVersion} ${m.kind}`),
        );
        for (const expected of [
          "networking.istio.io/v1 DestinationRule",
          "networking.istio.io/v1 VirtualService",
          "networking.istio.io/v1 Gateway",
          "networking.istio.io/v1 Sidecar",
          "security.istio.io/v1 AuthorizationPolicy",
          "telemetry.istio.io/v1 Telemetry",
          "networking.istio.io/v1alpha3 EnvoyFilter",
        ]) {
          assert.ok(kinds.has(expected), `no ${expected} sample`);
        }
      });
    });

    describe("unknown fields deep inside the other Istio kinds", () => {
      const cases: [kind: string, name: string | undefined, path: string, change: (m: Manifest) => void][] = [
        [
          "DestinationRule",
          "egress-gateway-subsets",
          "spec.subsets[0].trafficPolicy.portLevelSettings[0].tls.snii",
          (m) => (m.spec.subsets[0].trafficPolicy.portLevelSettings[0].tls.snii = "api.stripe.com"),
        ],
        [
          "VirtualService",
          undefined,
          "spec.tcp[0].route[0].destination.subsett",
          (m) => (m.spec.tcp[0].route[0].destination.subsett = "x"),
        ],
        [
          "Gateway",
          undefined,
          "spec.servers[0].tls.credentialname",
          (m) => (m.spec.servers[0].tls.credentialname = "x"),
        ],
        [
          "Sidecar",
          undefined,
          "spec.outboundTrafficPolicy.mod",
          (m) => (m.spec.outboundTrafficPolicy.mod = "ALLOW_ANY"),
        ],
        [
          "AuthorizationPolicy",
          undefined,
          "spec.rules[0].from[0].source.namespace",
          (m) => (m.spec.rules[0].from[0].source.namespace = ["x"]),
        ],
        [
          "Telemetry",
          undefined,
          "spec.accessLogging[0].provider",
          (m) => (m.spec.accessLogging[0].provider = { name: "envoy" }),
        ],
        [
          "EnvoyFilter",
          undefined,
          "spec.configPatches[0].match.contxt",
          (m) => (m.spec.configPatches[0].match.contxt = "GATEWAY"),
        ],
      ];
      for (const [kind, name, path, change] of cases) {
        it(`rejects the unknown field ${path} in the ${kind} sample`, () => {
          const outcome = catalog().validate(
            mutated(fixtureManifest("istio-compliant.yaml", kind, name), change),
          );
          assertRejected(outcome, path, "unknown field");
        });
      }

      it("accepts arbitrary content where the CRD preserves unknown fields (EnvoyFilter patch.value)", () => {
        const envoyFilter = mutated(fixtureManifest("istio-compliant.yaml", "EnvoyFilter"), (m) => {
          m.spec.configPatches[0].patch.value.anything = { nested: [1, "two"] };
        });
        assertValidated(catalog().validate(envoyFilter));
      });

      it("rejects a Sidecar outbound mode outside the enum", () => {
        const sidecar = mutated(
          fixtureManifest("istio-compliant.yaml", "Sidecar"),
          (m) => (m.spec.outboundTrafficPolicy.mode = "DENY"),
        );
        assertRejected(
          catalog().validate(sidecar),
          "spec.outboundTrafficPolicy.mode",
          'Unsupported value: "DENY"',
        );
      });

      it("rejects two load-balancer policies at once with the oneOf Istio declares", () => {
        const rule = mutated(
          fixtureManifest("istio-compliant.yaml", "DestinationRule", "egress-api-github-com-origination"),
          (m) => {
            m.spec.trafficPolicy.loadBalancer.consistentHash = { useSourceIp: true };
          },
        );
        assertRejected(
          catalog().validate(rule),
          "spec.trafficPolicy.loadBalancer",
          "only one of simple, consistentHash may be set",
        );
      });
    });

    describe("cert-manager", () => {
      const certificate = (): Manifest => fixtureManifest("cert-manager-compliant.yaml", "Certificate");

      for (const manifest of loadFixtureManifests("cert-manager-compliant.yaml")) {
        it(`validates the compliant ${manifest.kind} ${manifest.metadata.name}`, () => {
          assertValidated(catalog().validate(manifest));
        });
      }

      it("rejects an unknown field under a Certificate's spec", () => {
        const outcome = catalog().validate(
          mutated(certificate(), (c) => (c.spec.dnsName = ["x.example.com"])),
        );
        assertRejected(outcome, "spec.dnsName", 'unknown field "spec.dnsName"');
      });

      it("rejects a key usage outside the enum", () => {
        const outcome = catalog().validate(mutated(certificate(), (c) => c.spec.usages.push("client-auth")));
        assertRejected(outcome, "spec.usages[3]", 'Unsupported value: "client-auth"');
      });

      it("rejects a Certificate without its required issuerRef", () => {
        assertRejected(
          catalog().validate(mutated(certificate(), (c) => delete c.spec.issuerRef)),
          "spec.issuerRef",
          "Required value",
        );
      });

      it("rejects an Issuer with an unknown field in its CA config", () => {
        const issuer = mutated(
          fixtureManifest("cert-manager-compliant.yaml", "Issuer"),
          (i) => (i.spec.ca.secretname = "x"),
        );
        assertRejected(catalog().validate(issuer), "spec.ca.secretname", "unknown field");
      });

      it("rejects a namespace on the cluster-scoped ClusterIssuer", () => {
        const issuer = mutated(
          fixtureManifest("cert-manager-compliant.yaml", "ClusterIssuer"),
          (i) => (i.metadata.namespace = "istio-egress"),
        );
        assertRejected(
          catalog().validate(issuer),
          "metadata.namespace",
          "Forbidden: not allowed on this type",
        );
      });

      it("enforces cert-manager's CEL rule that a Venafi issuer names exactly one of tpp, cloud or ngts", () => {
        const venafi = (config: Record<string, unknown>): Manifest =>
          mutated(
            fixtureManifest("cert-manager-compliant.yaml", "Issuer"),
            (i) => (i.spec = { venafi: { zone: "egress", ...config } }),
          );
        const tpp = { url: "https://tpp.example.com/vedsdk", credentialsRef: { name: "tpp" } };
        assertValidated(catalog().validate(venafi({ tpp })));
        const both = catalog().validate(
          venafi({ tpp, cloud: { apiTokenSecretRef: { name: "t", key: "k" } } }),
        );
        assertRejected(both, "spec.venafi", "exactly one of tpp, cloud, or ngts must be configured");
      });
    });

    describe("prometheus-operator", () => {
      const rule = (): Manifest => fixtureManifest("prometheus-rule.yaml", "PrometheusRule");

      it("validates the compliant PrometheusRule", () => {
        assertValidated(catalog().validate(rule()));
      });

      it("rejects a misspelled rule field", () => {
        const outcome = catalog().validate(
          mutated(rule(), (r) => (r.spec.groups[0].rules[1].expresion = "up == 0")),
        );
        assertRejected(outcome, "spec.groups[0].rules[1].expresion", "unknown field");
      });

      it("rejects an interval that is not a Prometheus duration", () => {
        const outcome = catalog().validate(
          mutated(rule(), (r) => (r.spec.groups[0].interval = "30 seconds")),
        );
        assertRejected(outcome, "spec.groups[0].interval", "must match pattern");
      });
    });

    describe("Flux (HelmRelease v2 of helm-controller v1.6.3, HelmRepository v1 of source-controller v1.9.1)", () => {
      const repository = (): Manifest => fixtureManifest("flux-gateway-release.yaml", "HelmRepository");
      const release = (): Manifest => fixtureManifest("flux-gateway-release.yaml", "HelmRelease");

      it("validates the HelmRepository and HelmRelease pair render prints for a chart", () => {
        assertValidated(catalog().validate(repository()));
        assertValidated(catalog().validate(release()));
      });

      it("rejects a HelmRepository without its required url", () => {
        assertRejected(
          catalog().validate(mutated(repository(), (r) => delete r.spec.url)),
          "spec.url",
          "Required value",
        );
      });

      it("rejects a misspelled field in a HelmRelease's chart template", () => {
        const outcome = catalog().validate(
          mutated(release(), (r) => (r.spec.chart.spec.sourceref = r.spec.chart.spec.sourceRef)),
        );
        assertRejected(outcome, "spec.chart.spec.sourceref", "unknown field");
      });

      it("rejects a sourceRef kind a HelmRelease chart cannot come from", () => {
        const outcome = catalog().validate(
          mutated(release(), (r) => (r.spec.chart.spec.sourceRef.kind = "HelmRepo")),
        );
        assertRejected(outcome, "spec.chart.spec.sourceRef.kind", 'Unsupported value: "HelmRepo"');
      });

      it("enforces Flux's CEL rule that a HelmRelease names exactly one of chart or chartRef", () => {
        const outcome = catalog().validate(
          mutated(release(), (r) => (r.spec.chartRef = { kind: "OCIRepository", name: "gateway" })),
        );
        assertRejected(outcome, "spec", "either chart or chartRef must be set");
      });
    });

    describe("metadata, as the API server validates it", () => {
      it("rejects a name that is not a DNS-1123 subdomain", () => {
        const outcome = catalog().validate(
          mutated(serviceEntry(), (se) => (se.metadata.name = "Stripe_API")),
        );
        assertRejected(outcome, "metadata.name", "a lowercase RFC 1123 subdomain");
      });

      it("rejects a missing name", () => {
        assertRejected(
          catalog().validate(mutated(serviceEntry(), (se) => delete se.metadata.name)),
          "metadata.name",
          "Required value",
        );
      });

      it("rejects a namespace that is not a DNS-1123 label", () => {
        const outcome = catalog().validate(
          mutated(serviceEntry(), (se) => (se.metadata.namespace = "istio.egress")),
        );
        assertRejected(outcome, "metadata.namespace", "a lowercase RFC 1123 label");
      });

      it("rejects a misspelled metadata field", () => {
        const outcome = catalog().validate(mutated(serviceEntry(), (se) => (se.metadata.lables = {})));
        assertRejected(outcome, "metadata.lables", 'unknown field "metadata.lables"');
      });

      it("rejects a label value that is not a string or too long", () => {
        const outcome = catalog().validate(
          mutated(
            serviceEntry(),
            (se) => (se.metadata.labels = { replicas: 3, "mesh-egress.io/tenant": "x".repeat(64) }),
          ),
        );
        assertRejected(outcome, "metadata.labels.replicas", "must be of type string");
        assertRejected(outcome, 'metadata.labels["mesh-egress.io/tenant"]', "63 characters or less");
      });
    });

    describe("kinds without a schema in the upstream set", () => {
      it("fails an Istio kind under an apiVersion the CRD does not serve, and names the served ones", () => {
        const envoyFilter = mutated(
          fixtureManifest("istio-compliant.yaml", "EnvoyFilter"),
          (m) => (m.apiVersion = "networking.istio.io/v1"),
        );
        assertRejected(
          catalog().validate(envoyFilter),
          "apiVersion",
          "no schema for networking.istio.io/v1 EnvoyFilter (EnvoyFilter is served as networking.istio.io/v1alpha3)",
        );
      });

      it("fails a custom resource of an unknown group", () => {
        const widget = { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" }, spec: {} };
        assertRejected(catalog().validate(widget), "apiVersion", "no schema for example.com/v1 Widget");
      });

      it("leaves a built-in NetworkPolicy to the real API server when one runs here, else reports it skipped with the reason", () => {
        const policy = {
          apiVersion: "networking.k8s.io/v1",
          kind: "NetworkPolicy",
          metadata: { name: "deny", namespace: "payments" },
          spec: {},
        };
        const outcome = catalog().validate(policy);
        if (apiServerUnavailableReason() === undefined) {
          assert.equal(outcome.status, "delegated", formatOutcome(outcome));
          assert.match(formatOutcome(outcome), /checked by the real API server/);
        } else {
          assert.equal(outcome.status, "skipped", formatOutcome(outcome));
          assert.match(outcome.status === "skipped" ? outcome.reason : "", /built-in Kubernetes kind/);
        }
      });

      it("fails a Flux kind under a retired apiVersion", () => {
        const release = {
          apiVersion: "helm.toolkit.fluxcd.io/v2beta1",
          kind: "HelmRelease",
          metadata: { name: "x" },
          spec: {},
        };
        assertRejected(
          catalog().validate(release),
          "apiVersion",
          "no schema for helm.toolkit.fluxcd.io/v2beta1 HelmRelease (HelmRelease is served as helm.toolkit.fluxcd.io/v2)",
        );
      });

      it("still checks a skipped kind's metadata: a Namespace name must be a DNS-1123 label", () => {
        const namespace = { apiVersion: "v1", kind: "Namespace", metadata: { name: "Payments" } };
        assertRejected(catalog().validate(namespace), "metadata.name", "a lowercase RFC 1123 label");
      });
    });

    it("does not change the object it validates (defaults are applied to a copy)", () => {
      const certificate = fixtureManifest("cert-manager-compliant.yaml", "Certificate");
      const before = JSON.stringify(certificate);
      catalog().validate(certificate);
      assert.equal(JSON.stringify(certificate), before);
    });
  },
);
