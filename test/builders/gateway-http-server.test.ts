import { strict as assert } from "assert";
import { buildExternalServiceManifests } from "../../components/external-service";
import { buildHttpGateway } from "../../components/gateway-http-server";
import { configFrom, fourModeConfig } from "../support/config-fixtures";

describe("shared HTTP gateway server", () => {
  const multiHost = () =>
    configFrom({
      environment: "dev",
      services: [
        { name: "github", hosts: ["api.github.com", "uploads.github.com"], mode: "originate" },
        { name: "openai", hosts: ["api.openai.com"], mode: "originate" },
        { name: "stripe", hosts: ["api.stripe.com"], mode: "passthrough-mtls" },
      ],
      tenants: [{ namespace: "ci", allow: ["github", "openai", "stripe"] }],
    });

  it("serves every HTTP host from one TLS-terminating server on port 80, so the port has one filter chain", () => {
    assert.deepEqual(buildHttpGateway(multiHost()), {
      apiVersion: "networking.istio.io/v1",
      kind: "Gateway",
      metadata: {
        name: "istio-egressgateway-http",
        namespace: "istio-egress",
        labels: {
          "app.kubernetes.io/managed-by": "pulumi",
          "app.kubernetes.io/part-of": "mesh-egress",
          "app.kubernetes.io/component": "egress-gateway",
        },
      },
      spec: {
        selector: { istio: "egressgateway" },
        servers: [
          {
            port: { number: 80, name: "https-80", protocol: "HTTPS" },
            hosts: [
              "istio-egress/api.github.com",
              "istio-egress/uploads.github.com",
              "istio-egress/api.openai.com",
            ],
            tls: { mode: "ISTIO_MUTUAL" },
          },
        ],
      },
    });
  });

  it("renders no shared server when no service is HTTP at the gateway", () => {
    const config = configFrom({
      environment: "dev",
      services: [{ name: "stripe", hosts: ["api.stripe.com"], mode: "passthrough-mtls" }],
      tenants: [{ namespace: "payments", allow: ["stripe"] }],
    });
    assert.equal(buildHttpGateway(config), undefined);
  });

  it("binds each HTTP host's gateway-side route to the shared server, keeping its own route, subset and name", () => {
    const config = multiHost();
    const github = config.services.find((s) => s.name === "github")!;
    const routes = buildExternalServiceManifests(github, config).filter((o) => o.kind === "VirtualService");
    assert.deepEqual(
      routes.map((vs) => [vs.metadata.name, (vs.spec as any).gateways, (vs.spec as any).http[1].name]),
      [
        [
          "github-api-github-com",
          ["mesh", "istio-egress/istio-egressgateway-http"],
          "github-api-github-com-to-external",
        ],
        [
          "github-uploads-github-com",
          ["mesh", "istio-egress/istio-egressgateway-http"],
          "github-uploads-github-com-to-external",
        ],
      ],
    );
    assert.deepEqual(
      routes.map((vs) => (vs.spec as any).http[0].route[0].destination.subset),
      ["github-api-github-com", "github-uploads-github-com"],
    );
  });

  it("keeps TLS services' servers out of the shared one: a tcp route needs a chain per host (and tenant)", () => {
    const config = fourModeConfig();
    const stripe = config.services.find((s) => s.name === "stripe")!;
    const gateways = buildExternalServiceManifests(stripe, config).filter((o) => o.kind === "Gateway");
    assert.deepEqual(
      gateways.map((g) => (g.spec as any).servers.map((s: any) => s.hosts)),
      [[["istio-egress/payments.api.stripe.com.mesh-egress.invalid"]]],
    );
  });
});
