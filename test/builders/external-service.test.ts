import { strict as assert } from "assert";
import { buildExternalServiceManifests } from "../../components/external-service";
import type { KubernetesObject } from "../../components/kubernetes-object";
import { configFrom, fourModeConfig } from "../support/config-fixtures";

const GATEWAY_HOST = "istio-egressgateway.istio-egress.svc.cluster.local";

function manifestsOf(serviceName: string, config = fourModeConfig()) {
  const service = config.services.find((s) => s.name === serviceName)!;
  const objects = buildExternalServiceManifests(service, config);
  const only = (kind: string, name?: string): KubernetesObject => {
    const found = objects.filter((o) => o.kind === kind && (!name || o.metadata.name === name));
    assert.equal(found.length, 1, `exactly one ${kind}${name ? ` ${name}` : ""}`);
    return found[0];
  };
  return { objects, only };
}

describe("external service builder", () => {
  describe("with pinned addresses", () => {
    const pinned = (mode: string) =>
      manifestsOf(
        "pinned",
        configFrom({
          environment: "dev",
          services: [
            {
              name: "pinned",
              hosts: ["api.partner.example"],
              mode,
              pinnedAddresses: ["203.0.113.10", "2001:DB8:7:0::10"],
              ...(mode === "originate-mutual"
                ? {
                    tls: {
                      credentialName: "partner-client",
                      clientCertificate: { issuer: "clients", commonName: "acme" },
                      caBundle: { secretRef: { name: "partner-client-cacert" } },
                    },
                  }
                : {}),
            },
          ],
          issuers: [{ name: "clients", selfSigned: {} }],
          tenants: [{ namespace: "payments", allow: ["pinned"] }],
        }),
      );

    for (const mode of ["passthrough", "passthrough-mtls", "originate", "originate-mutual"]) {
      it(`resolves a pinned ${mode} service STATIC to its addresses, normalised, and says so in an annotation`, () => {
        const entry = pinned(mode).only("ServiceEntry");
        assert.equal((entry.spec as any).resolution, "STATIC");
        assert.deepEqual((entry.spec as any).endpoints, [
          { address: "203.0.113.10" },
          { address: "2001:db8:7::10" },
        ]);
        assert.equal(
          (entry.spec as any).addresses,
          undefined,
          "addresses would capture by destination IP on sidecars",
        );
        assert.deepEqual(entry.metadata.annotations, {
          "mesh-egress.io/pinned-addresses": "203.0.113.10,2001:db8:7::10",
        });
      });
    }

    for (const mode of ["originate", "originate-mutual"]) {
      it(`keeps an explicit SNI and SANs on a pinned ${mode} service's origination, since nothing resolves the host`, () => {
        const rule = pinned(mode).only("DestinationRule", "pinned-origination");
        const tls = (rule.spec as any).trafficPolicy.portLevelSettings[0].tls;
        assert.equal(tls.sni, "api.partner.example");
        assert.deepEqual(tls.subjectAltNames, ["api.partner.example"]);
      });
    }

    it("routes a pinned passthrough service at the gateway by the SNI host, to the host's pinned cluster", () => {
      const route = pinned("passthrough").only("VirtualService");
      const gatewaySide = (route.spec as any).tls.find((r: any) => !r.match[0].gateways.includes("mesh"));
      assert.deepEqual(gatewaySide.match[0].sniHosts, ["api.partner.example"]);
      assert.deepEqual(gatewaySide.route[0].destination, {
        host: "api.partner.example",
        port: { number: 443 },
      });
    });
  });

  it("registers every host by DNS, outside the mesh, visible only to the gateway and allowed tenants", () => {
    const { only } = manifestsOf("stripe");
    assert.deepEqual(only("ServiceEntry").spec, {
      hosts: ["api.stripe.com"],
      location: "MESH_EXTERNAL",
      resolution: "DNS",
      ports: [{ number: 443, name: "tls-443", protocol: "TLS" }],
      exportTo: [".", "payments"],
    });
  });

  it("routes a passthrough-mtls service through the gateway with ISTIO_MUTUAL, one server and SNI per tenant", () => {
    const { only } = manifestsOf("stripe");
    assert.deepEqual(only("Gateway").spec, {
      selector: { istio: "egressgateway" },
      servers: [
        {
          port: { number: 443, name: "tls-stripe-payments", protocol: "TLS" },
          hosts: ["istio-egress/payments.api.stripe.com.mesh-egress.invalid"],
          tls: { mode: "ISTIO_MUTUAL" },
        },
      ],
    });
    const vs = only("VirtualService").spec as any;
    // The tenant's SNI is a host of the route, so the gateway picks this tcp route for the tenant's server.
    assert.deepEqual(vs.hosts, ["api.stripe.com", "payments.api.stripe.com.mesh-egress.invalid"]);
    assert.deepEqual(vs.gateways, ["mesh", "istio-egress/stripe"]);
    assert.deepEqual(vs.tls, [
      {
        match: [{ gateways: ["mesh"], port: 443, sniHosts: ["api.stripe.com"], sourceNamespace: "payments" }],
        route: [{ destination: { host: GATEWAY_HOST, subset: "stripe-payments", port: { number: 443 } } }],
      },
    ]);
    // The gateway has unwrapped mesh mTLS: the application's TLS leaves as TCP bytes.
    assert.deepEqual(vs.tcp, [
      {
        match: [{ gateways: ["istio-egress/stripe"], port: 443 }],
        route: [{ destination: { host: "api.stripe.com", port: { number: 443 } } }],
      },
    ]);
    assert.equal(vs.http, undefined);
  });

  it("passes a plain passthrough service by SNI and admits only identity-less connections for it", () => {
    const { only } = manifestsOf("idp");
    const server = (only("Gateway").spec as any).servers[0];
    assert.deepEqual(server.tls, { mode: "PASSTHROUGH" });
    const vs = only("VirtualService").spec as any;
    assert.equal(vs.tls.length, 2);
    assert.deepEqual(vs.tls[1].match, [
      { gateways: ["istio-egress/idp"], port: 443, sniHosts: ["login.example.com"] },
    ]);
    const policy = only("AuthorizationPolicy").spec as any;
    assert.deepEqual(policy.rules, [
      {
        from: [{ source: { notPrincipals: ["*"] } }],
        to: [{ operation: { ports: ["443"] } }],
        when: [{ key: "connection.sni", values: ["login.example.com"] }],
      },
    ]);
  });

  it("originates TLS at the gateway for an originate service, verifying SNI and SANs", () => {
    const { only } = manifestsOf("openai");
    assert.deepEqual((only("ServiceEntry").spec as any).ports, [
      { number: 80, name: "http", protocol: "HTTP" },
      { number: 443, name: "https-443", protocol: "HTTPS" },
    ]);
    assert.deepEqual((only("DestinationRule").spec as any).host, "api.openai.com");
    assert.deepEqual(only("DestinationRule").spec, {
      host: "api.openai.com",
      exportTo: ["."],
      trafficPolicy: {
        portLevelSettings: [
          {
            port: { number: 443 },
            tls: { mode: "SIMPLE", sni: "api.openai.com", subjectAltNames: ["api.openai.com"] },
          },
        ],
      },
    });
  });

  it("names the gateway-side HTTP route and strips the caller's identity header before it leaves", () => {
    const { only } = manifestsOf("openai");
    const http = (only("VirtualService").spec as any).http;
    assert.deepEqual(
      http.map((r: any) => r.name),
      ["openai-to-gateway", "openai-to-external"],
    );
    // Identities, pod details, the tenant pod's IP and retry counts stay inside the cluster.
    assert.deepEqual(http[1].headers, {
      request: {
        remove: [
          "x-forwarded-client-cert",
          "x-envoy-peer-metadata",
          "x-envoy-peer-metadata-id",
          "x-forwarded-for",
          "x-envoy-attempt-count",
        ],
      },
    });
    assert.deepEqual(http[1].route, [{ destination: { host: "api.openai.com", port: { number: 443 } } }]);
  });

  it("presents the client credential for an originate-mutual service", () => {
    const { only } = manifestsOf("partner");
    const tls = (only("DestinationRule").spec as any).trafficPolicy.portLevelSettings[0].tls;
    assert.equal(tls.mode, "MUTUAL");
    assert.equal(tls.credentialName, "partner-client");
    assert.equal(tls.sni, "api.partner.example");
    assert.equal(tls.insecureSkipVerify, undefined);
  });

  it("builds one route and one origination rule per host of a multi-host service", () => {
    const config = configFrom({
      environment: "dev",
      services: [{ name: "github", hosts: ["api.github.com", "uploads.github.com"], mode: "originate" }],
      tenants: [{ namespace: "ci", allow: ["github"] }],
    });
    const { objects } = manifestsOf("github", config);
    assert.deepEqual(
      objects.map((o) => `${o.kind}/${o.metadata.name}`),
      [
        "ServiceEntry/github",
        "DestinationRule/github-api-github-com-origination",
        "VirtualService/github-api-github-com",
        "DestinationRule/github-uploads-github-com-origination",
        "VirtualService/github-uploads-github-com",
      ],
    );
  });

  it("exports a service nobody uses to the gateway namespace alone, with no passthrough admission", () => {
    const config = configFrom({
      environment: "dev",
      services: [{ name: "idp", hosts: ["login.example.com"], mode: "passthrough" }],
      tenants: [],
    });
    const { objects, only } = manifestsOf("idp", config);
    assert.deepEqual((only("ServiceEntry").spec as any).exportTo, ["."]);
    assert.equal(objects.filter((o) => o.kind === "AuthorizationPolicy").length, 0);
  });
});
