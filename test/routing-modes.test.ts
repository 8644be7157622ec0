import { strict as assert } from "assert";
import { buildHttpGateway } from "../components/gateway-http-server";
import { buildExternalServiceManifests } from "../components/external-service";
import { routingModes, routingModeTraits } from "../stacks/routing-modes";
import { fourModeConfig } from "./support/config-fixtures";

/** The rows of the routing-mode table must agree with each other, or Istio silently drops traffic. */
describe("the routing-mode table", () => {
  for (const mode of routingModes) {
    const traits = routingModeTraits[mode];

    it(`${mode}: the sidecar wraps traffic in Istio mTLS exactly where the gateway server terminates it`, () => {
      assert.equal(traits.subsetTls === "ISTIO_MUTUAL", traits.gatewayServer.tls === "ISTIO_MUTUAL");
    });

    it(`${mode}: the gateway knows the caller exactly where the hop to it is Istio mTLS`, () => {
      assert.equal(traits.identityAtGateway, traits.gatewayServer.tls === "ISTIO_MUTUAL");
    });

    it(`${mode}: a client certificate is presented exactly where the gateway originates mutual TLS`, () => {
      assert.equal(traits.clientCertificate, traits.origination === "MUTUAL");
    });

    it(`${mode}: HTTP routes, HTTP-host authorization and the gateway's HTTP port go together with origination`, () => {
      const originates = traits.origination !== "none";
      assert.equal(traits.routes.mesh === "http", originates);
      assert.equal(traits.routes.gateway === "http", originates);
      assert.equal(traits.authorizationMatch === "http-host", originates);
      assert.equal(traits.gatewayServer.protocol === "HTTPS", originates);
      assert.equal(traits.gatewayServer.port === "gateway-http", originates);
    });

    it(`${mode}: the ServiceEntry declares the port the gateway listens on and the external port`, () => {
      const ports = traits.serviceEntryPorts.map((p) => p.port);
      assert.ok(ports.includes(traits.gatewayServer.port), `${ports} includes ${traits.gatewayServer.port}`);
      assert.ok(ports.includes("external"));
    });
  }

  it("is what the builders render: one service per mode gets its Gateway server TLS and route kinds", () => {
    const config = fourModeConfig();
    for (const service of config.services) {
      const traits = routingModeTraits[service.mode];
      const objects = buildExternalServiceManifests(service, config);
      // HTTP-mode hosts share the gateway-wide server; TLS modes keep a Gateway of their own.
      const gateway = objects.find((o) => o.kind === "Gateway") ?? buildHttpGateway(config)!;
      const virtualService = objects.find((o) => o.kind === "VirtualService")!;
      const servers = (gateway.spec as { servers: { tls: { mode: string } }[] }).servers;
      assert.deepEqual(
        servers.map((s) => s.tls.mode),
        [traits.gatewayServer.tls],
        service.mode,
      );
      const routeKinds = ["tls", "tcp", "http"].filter((kind) => kind in (virtualService.spec as object));
      assert.deepEqual(routeKinds.sort(), [...new Set([traits.routes.mesh, traits.routes.gateway])].sort());
      assert.equal(
        objects.some((o) => o.kind === "DestinationRule" && o.metadata.name.endsWith("-origination")),
        traits.origination !== "none",
        service.mode,
      );
    }
  });
});
