import { strict as assert } from "assert";
import type { EgressConfig } from "../stacks/model/egress-config";
import { parseEgressConfig } from "../stacks/load-config";
import { markDecryptedSecrets } from "../stacks/schema/values/pulumi-secrets";
import { certificateStackValues, THROWAWAY_CA } from "./support/certificate-fixtures";
import { configFrom } from "./support/config-fixtures";
import { installPulumiMocks, registeredBy, RegisteredResource } from "./support/pulumi-harness";
import { projectStack } from "./support/stacks";

// Mocks first (awaited), then the code under test.
before(installPulumiMocks);

async function registerPlatform(config: EgressConfig): Promise<RegisteredResource[]> {
  const { EgressPlatform } = await import("../components/pulumi/egress-platform");
  return registeredBy(() => new EgressPlatform("mesh-egress", { config }));
}

/** Lookups over one set of registrations. */
function graphOf(resources: readonly RegisteredResource[]) {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const find = (type: string, name?: string): RegisteredResource => {
    const found = resources.filter(
      (r) => r.type === type && (name === undefined || (r.inputs as any).metadata?.name === name),
    );
    assert.equal(found.length, 1, `exactly one ${type} ${name ?? ""}`);
    return found[0];
  };
  /** True when `from` waits for `to`, directly or through the resources it waits for. */
  const waitsFor = (from: RegisteredResource, to: RegisteredResource): boolean => {
    const seen = new Set<string>();
    const queue = [...from.dependencies];
    while (queue.length > 0) {
      const urn = queue.pop()!;
      if (urn === to.urn) return true;
      if (seen.has(urn)) continue;
      seen.add(urn);
      queue.push(...(byUrn.get(urn)?.dependencies ?? []));
    }
    return false;
  };
  const parentOf = (r: RegisteredResource) => byUrn.get(r.parent);
  return { find, waitsFor, parentOf };
}

/** The fixture's inline CA holds its key as {secure: ...}, which only `pulumi up` can decrypt: leave it out. */
function withoutEncryptedKeys(values: Record<string, any>): Record<string, any> {
  return { ...values, issuers: values.issuers.filter((i: any) => i.name !== "inline-ca") };
}

const CERT_MANAGER = "kubernetes-cert-manager:index:CertManager";
const ISSUER = "kubernetes:cert-manager.io/v1:Issuer";
const CLUSTER_ISSUER = "kubernetes:cert-manager.io/v1:ClusterIssuer";
const CERTIFICATE = "kubernetes:cert-manager.io/v1:Certificate";
const SECRET = "kubernetes:core/v1:Secret";
const DESTINATION_RULE = "kubernetes:networking.istio.io/v1:DestinationRule";

describe("cert-manager and the origination roots under Pulumi mocks (prod)", () => {
  let resources: RegisteredResource[];
  let graph: ReturnType<typeof graphOf>;
  before(async () => {
    resources = await registerPlatform(projectStack("prod"));
    graph = graphOf(resources);
  });

  it("installs cert-manager through the CertManager component, pinned, with its CRDs, inside the platform", () => {
    const release = graph.find(CERT_MANAGER);
    const inputs = release.inputs as any;
    assert.equal(inputs.installCRDs, true);
    assert.equal(inputs.helmOptions.version, "v1.21.1");
    assert.equal(inputs.helmOptions.namespace, "cert-manager");
    assert.equal(inputs.helmOptions.repositoryOpts.repo, "https://charts.jetstack.io");
    assert.deepEqual(inputs.helmOptions.values.crds, { enabled: true, keep: true });
    assert.equal(inputs.replicaCount, 2);
    assert.equal(inputs.webhook.replicaCount, 2);
    const installation = graph.parentOf(release)!;
    assert.equal(installation.type, "mesh-egress:index:CertManagerInstallation");
    assert.equal(graph.parentOf(installation)?.type, "mesh-egress:index:EgressPlatform");
    const namespace = graph.find("kubernetes:core/v1:Namespace", "cert-manager");
    assert.ok(release.dependencies.includes(namespace.urn), "the release waits for its namespace");
  });

  it("creates the issuer only after cert-manager (its CRDs) and the gateway namespace", () => {
    const issuer = graph.find(ISSUER, "partner-clients");
    assert.ok(issuer.dependencies.includes(graph.find(CERT_MANAGER).urn), "explicitly after cert-manager");
    assert.ok(graph.waitsFor(issuer, graph.find("kubernetes:core/v1:Namespace", "istio-egress")));
  });

  it("creates the Vault issuer after its ServiceAccount, Role and RoleBinding, in that order", () => {
    const account = graph.find("kubernetes:core/v1:ServiceAccount", "partner-clients-vault");
    const role = graph.find(
      "kubernetes:rbac.authorization.k8s.io/v1:Role",
      "partner-clients-vault-token-request",
    );
    const binding = graph.find(
      "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
      "partner-clients-vault-token-request",
    );
    const issuer = graph.find(ISSUER, "partner-clients");
    assert.ok(role.dependencies.includes(account.urn));
    assert.ok(binding.dependencies.includes(role.urn));
    assert.ok(issuer.dependencies.includes(binding.urn));
  });

  it("issues the client certificate only after its issuer", () => {
    const certificate = graph.find(CERTIFICATE, "clearing-partner-client");
    assert.ok(certificate.dependencies.includes(graph.find(ISSUER, "partner-clients").urn));
    assert.ok(certificate.dependencies.includes(graph.find(CERT_MANAGER).urn));
  });

  it("creates the mutual DestinationRule only after its client certificate and its server roots", () => {
    const rule = graph.find(DESTINATION_RULE, "clearing-partner-origination");
    assert.ok(rule.dependencies.includes(graph.find(CERTIFICATE, "clearing-partner-client").urn));
    assert.ok(rule.dependencies.includes(graph.find(SECRET, "clearing-partner-client-cacert").urn));
    assert.equal(graph.parentOf(rule)?.name, "mesh-egress-service-clearing-partner");
  });

  it("keeps the origination roots in their own component, parented to the platform", () => {
    for (const r of [
      graph.find(ISSUER, "partner-clients"),
      graph.find(CERTIFICATE, "clearing-partner-client"),
      graph.find(SECRET, "clearing-partner-client-cacert"),
    ]) {
      const component = graph.parentOf(r)!;
      assert.equal(component.type, "mesh-egress:index:OriginationCertificates", r.name);
      assert.equal(component.name, "mesh-egress-certificates");
      assert.ok(r.name.startsWith(`${component.name}-`), `${r.name} is named after its component`);
      assert.equal(graph.parentOf(component)?.type, "mesh-egress:index:EgressPlatform");
    }
  });

  it("does not make services without certificates wait for any", () => {
    const rule = graph.find(DESTINATION_RULE, "openai-origination");
    assert.ok(!graph.waitsFor(rule, graph.find(CERTIFICATE, "clearing-partner-client")));
  });
});

describe("cert-manager and the origination roots under Pulumi mocks (dev)", () => {
  it("chains the dev root: self-signed issuer, then the CA certificate, then the CA issuer, then the client certificate", async () => {
    const graph = graphOf(await registerPlatform(projectStack("dev")));
    const bootstrap = graph.find(CLUSTER_ISSUER, "egress-dev-ca-selfsigned");
    const root = graph.find(CERTIFICATE, "egress-dev-ca-ca");
    const issuer = graph.find(CLUSTER_ISSUER, "egress-dev-ca");
    const client = graph.find(CERTIFICATE, "clearing-partner-client");
    assert.ok(root.dependencies.includes(bootstrap.urn));
    assert.ok(issuer.dependencies.includes(root.urn));
    assert.ok(client.dependencies.includes(issuer.urn));
    assert.ok(bootstrap.dependencies.includes(graph.find(CERT_MANAGER).urn));
  });

  it("makes an originate service with a private CA wait for its roots-only Secret", async () => {
    const graph = graphOf(
      await registerPlatform(configFrom(withoutEncryptedKeys(certificateStackValues("dev")))),
    );
    const rule = graph.find(DESTINATION_RULE, "fx-origination");
    assert.ok(rule.dependencies.includes(graph.find(SECRET, "fx-server-cacert").urn));
  });

  it("registers no cert-manager release, but still the issuers, when the stack uses an existing cert-manager", async () => {
    const values = withoutEncryptedKeys(certificateStackValues("prod"));
    values.certManager = { install: false };
    const resources = await registerPlatform(configFrom(values));
    assert.ok(!resources.some((r) => r.type === CERT_MANAGER));
    assert.ok(resources.some((r) => r.type === ISSUER));
  });
});

describe("a CA key pair from Pulumi secret config under Pulumi mocks", () => {
  const decryptedConfig = (): EgressConfig => {
    const values = certificateStackValues("prod");
    values.issuers = [
      {
        name: "inline-ca",
        kind: "ClusterIssuer",
        ca: { certificate: THROWAWAY_CA.certificate, privateKey: THROWAWAY_CA.privateKey },
      },
      ...values.issuers.filter((i: any) => i.name !== "inline-ca"),
    ];
    return parseEgressConfig(
      markDecryptedSecrets(values, (key) => key === "issuers"),
      "test",
    );
  };

  it("fills tls.key from the decrypted secret and registers it as a Pulumi secret", async () => {
    const graph = graphOf(await registerPlatform(decryptedConfig()));
    const secret = graph.find(SECRET, "inline-ca-ca");
    const stringData = (secret.inputs as any).stringData;
    assert.equal(stringData["4dabf18193072939515e22adb298388d"], "1b47061264138c4ac30d75fd1eb44270");
    assert.equal(stringData.value["tls.key"], THROWAWAY_CA.privateKey);
    assert.equal((secret.inputs as any).metadata.namespace, "cert-manager");
    const issuer = graph.find("kubernetes:cert-manager.io/v1:ClusterIssuer", "inline-ca");
    assert.ok(issuer.dependencies.includes(secret.urn), "the issuer waits for its key pair");
  });

  it("never lets the decrypted key into the render of the same config", async () => {
    const { renderDocuments } = await import("../cli/render");
    const text = JSON.stringify(renderDocuments(decryptedConfig()));
    assert.doesNotMatch(text, /PRIVATE KEY/);
  });

  it("refuses to register a key that only an encrypted stack file holds", async () => {
    const { buildOriginationCertificateManifests } = await import("../components/origination-certificates");
    const { OriginationCertificates } = await import("../components/pulumi/origination-certificates");
    const values = certificateStackValues("prod");
    const config = configFrom(values); // inline-ca's key is {secure: ...}: not decrypted outside `pulumi up`
    let error: Error | undefined;
    await registeredBy(() => {
      try {
        new OriginationCertificates("certificates", {
          manifests: buildOriginationCertificateManifests(config),
        });
      } catch (err) {
        error = err as Error;
      }
    });
    assert.match(error?.message ?? "", /issuer "inline-ca": its CA private key is not available decrypted/);
  });
});
