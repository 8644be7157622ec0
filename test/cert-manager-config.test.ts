import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError } from "../stacks/model/config-error";
import { loadStackFile } from "../stacks/load-config";
import {
  LEAF_CERTIFICATE_PEM,
  OTHER_ROOT_PEM,
  PARTNER_ROOT_PEM,
  THROWAWAY_CA,
  WEAK_RSA_CA_PEM,
} from "./support/certificate-fixtures";
import { installPulumiMocks } from "./support/pulumi-harness";
import { MalformedCase, itRefusesEach, Stack } from "./support/malformed-config";
import { runProgram } from "./support/run-program";

before(installPulumiMocks);

/** A small valid stack with certificates: each malformed case below changes one thing in it. */
function validStack(): Stack {
  return {
    environment: "prod",
    certManager: { install: true },
    issuers: [{ name: "partner-ca", ca: { secretName: "partner-client-ca" } }],
    services: [
      { name: "openai", hosts: ["api.openai.com"], mode: "originate" },
      {
        name: "partner",
        hosts: ["api.partner.example"],
        mode: "originate-mutual",
        tls: {
          credentialName: "partner-client",
          clientCertificate: { issuer: "partner-ca", commonName: "acme-egress" },
          caBundle: { pem: PARTNER_ROOT_PEM },
        },
      },
    ],
    tenants: [{ namespace: "settlement", allow: ["openai", "partner"] }],
    rateLimits: { tenants: { settlement: { http: { requests: 20, per: "second" } } } },
  };
}

const clientCertificate = (s: Stack) => s.services[1].tls.clientCertificate;

const cases: MalformedCase[] = [
  {
    title: "a client certificate from an issuer nobody declared",
    mutate: (s) => (clientCertificate(s).issuer = "partner-cq"),
    path: "services[1].tls.clientCertificate.issuer",
    says: /unknown issuer "partner-cq"; declared issuers: partner-ca/,
  },
  {
    title: "a weak RSA key",
    mutate: (s) => (clientCertificate(s).privateKey = { algorithm: "RSA", size: 1024 }),
    path: "services[1].tls.clientCertificate.privateKey.size",
    says: /weak key: RSA 1024 bits is below 2048/,
  },
  {
    title: "an RSA size cert-manager does not accept",
    mutate: (s) => (clientCertificate(s).privateKey = { algorithm: "RSA", size: 3072 }),
    path: "services[1].tls.clientCertificate.privateKey.size",
    says: /2048, 4096 or 8192/,
  },
  {
    title: "an ECDSA curve that does not exist",
    mutate: (s) => (clientCertificate(s).privateKey = { size: 224 }),
    path: "services[1].tls.clientCertificate.privateKey.size",
    says: /256, 384 or 521/,
  },
  {
    title: "a key algorithm cert-manager does not know",
    mutate: (s) => (clientCertificate(s).privateKey = { algorithm: "DSA" }),
    path: "services[1].tls.clientCertificate.privateKey.algorithm",
    says: /ECDSA, RSA, Ed25519/,
  },
  {
    title: "renewBefore as long as the duration",
    mutate: (s) => Object.assign(clientCertificate(s), { duration: "720h", renewBefore: "720h" }),
    path: "services[1].tls.clientCertificate.renewBefore",
    says: /must be shorter than duration 720h \(30 days\)/,
  },
  {
    title: "renewBefore longer than the duration",
    mutate: (s) => Object.assign(clientCertificate(s), { duration: "24h", renewBefore: "48h" }),
    path: "services[1].tls.clientCertificate.renewBefore",
    says: /must be shorter than duration/,
  },
  {
    title: "a lifetime in days, which Go durations do not have",
    mutate: (s) => (clientCertificate(s).duration = "90d"),
    path: "services[1].tls.clientCertificate.duration",
    says: /Go duration such as 2160h/,
  },
  {
    title: "a lifetime below cert-manager's minimum",
    mutate: (s) => Object.assign(clientCertificate(s), { duration: "30m", renewBefore: "10m" }),
    path: "services[1].tls.clientCertificate.duration",
    says: /minimum of 1h/,
  },
  {
    title: "a mutual service without a client certificate",
    mutate: (s) => delete s.services[1].tls.clientCertificate,
    path: "services[1].tls.clientCertificate",
    says: /originate-mutual needs a client certificate/,
  },
  {
    title: "a mutual service without the server's CA bundle",
    mutate: (s) => delete s.services[1].tls.caBundle,
    path: "services[1].tls.caBundle",
    says: /"partner-client-cacert".*client issuer's CA/,
  },
  {
    title: "a client certificate that names no identity",
    mutate: (s) => delete clientCertificate(s).commonName,
    path: "services[1].tls.clientCertificate",
    says: /set commonName, dnsNames or uris/,
  },
  {
    title: "a weak RSA key for a self-signed root",
    mutate: (s) => {
      s.environment = "dev";
      s.issuers[0] = { name: "partner-ca", selfSigned: { privateKey: { algorithm: "RSA", size: 1024 } } };
    },
    path: "issuers[0].selfSigned.privateKey.size",
    says: /weak key: RSA 1024 bits is below 2048/,
  },
  {
    title: "a self-signed root renewed before it starts",
    mutate: (s) => {
      s.environment = "dev";
      s.issuers[0] = { name: "partner-ca", selfSigned: { duration: "2h", renewBefore: "3h" } };
    },
    path: "issuers[0].selfSigned.renewBefore",
    says: /must be shorter than duration/,
  },
  {
    title: "a roots-only Secret for plain origination without the -cacert suffix",
    mutate: (s) => (s.services[0].tls = { caBundle: { secretRef: { name: "openai-roots" } } }),
    path: "services[0].tls.caBundle.secretRef.name",
    says: /must end in "-cacert"/,
  },
  {
    title: "a misspelt client certificate key",
    mutate: (s) => (clientCertificate(s).renewbefore = "360h"),
    path: "services[1].tls.clientCertificate.renewbefore",
    says: /unknown key "renewbefore"/,
  },
  {
    title: "a client certificate on a service that does not present one",
    mutate: (s) => (s.services[0].tls = { clientCertificate: { issuer: "partner-ca", commonName: "x" } }),
    path: "services[0].tls.clientCertificate",
    says: /only presented in originate-mutual mode/,
  },
  {
    title: "a server bundle in a ConfigMap, which istiod cannot read",
    mutate: (s) => (s.services[1].tls.caBundle = { configMapRef: { name: "partner-roots" } }),
    path: "services[1].tls.caBundle.configMapRef",
    says: /only from Secrets.*"partner-client-cacert"/,
  },
  {
    title: "a server bundle Secret istiod would never look for",
    mutate: (s) => (s.services[1].tls.caBundle = { secretRef: { name: "partner-roots" } }),
    path: "services[1].tls.caBundle.secretRef.name",
    says: /must be "partner-client-cacert"/,
  },
  {
    title: "a server bundle under a key istiod does not read",
    mutate: (s) =>
      (s.services[1].tls.caBundle = { secretRef: { name: "partner-client-cacert", key: "roots.pem" } }),
    path: "services[1].tls.caBundle.secretRef.key",
    says: /cacert or ca\.crt/,
  },
  {
    title: "a server bundle that is not a certificate",
    mutate: (s) =>
      (s.services[1].tls.caBundle = {
        pem: "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----",
      }),
    path: "services[1].tls.caBundle.pem",
    says: /does not parse as X\.509/,
  },
  {
    title: "two mutual services sharing one client credential",
    mutate: (s) => {
      const copy = structuredClone(s.services[1]);
      copy.name = "partner-eu";
      copy.hosts = ["eu.api.partner.example"];
      s.services.push(copy);
    },
    path: "services[2].tls.credentialName",
    says: /already the client credential of service "partner"/,
  },
  {
    title: "an issuer with two sources of roots",
    mutate: (s) =>
      (s.issuers[0].vault = {
        server: "https://vault.example.com",
        path: "pki/sign/x",
        auth: { kubernetes: { role: "r" } },
      }),
    path: "issuers[0]",
    says: /exactly one of ca, selfSigned or vault \(found ca and vault\)/,
  },
  {
    title: "an issuer with no source of roots",
    mutate: (s) => delete s.issuers[0].ca,
    path: "issuers[0]",
    says: /exactly one of ca, selfSigned or vault \(found none\)/,
  },
  {
    title: "two issuers with one name",
    mutate: (s) => s.issuers.push({ name: "partner-ca", kind: "ClusterIssuer", ca: { secretName: "x" } }),
    path: "issuers[1].name",
    says: /duplicate issuer name "partner-ca"/,
  },
  {
    title: "an issuer kind cert-manager does not have",
    mutate: (s) => (s.issuers[0].kind = "NamespaceIssuer"),
    path: "issuers[0].kind",
    says: /Issuer or ClusterIssuer/,
  },
  {
    title: "a self-signed bootstrap in prod",
    mutate: (s) => (s.issuers[0] = { name: "partner-ca", selfSigned: {} }),
    path: "issuers[0].selfSigned",
    says: /for dev only: in prod use ca .* or vault/,
  },
  {
    title: "a Vault server reached over plain HTTP",
    mutate: (s) =>
      (s.issuers[0] = {
        name: "partner-ca",
        vault: {
          server: "http://vault.example.com:8200",
          path: "pki/sign/x",
          auth: { kubernetes: { role: "r" } },
        },
      }),
    path: "issuers[0].vault.server",
    says: /https:\/\/ URL/,
  },
  {
    title: "a Vault CA bundle that is not a certificate",
    mutate: (s) =>
      (s.issuers[0] = {
        name: "partner-ca",
        vault: {
          server: "https://vault.example.com",
          path: "pki/sign/x",
          caBundle: "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----",
          auth: { kubernetes: { role: "r" } },
        },
      }),
    path: "issuers[0].vault.caBundle",
    says: /does not parse as X\.509: give Vault's CA as PEM/,
  },
  {
    title: "a Vault issuer without its Kubernetes auth role",
    mutate: (s) =>
      (s.issuers[0] = {
        name: "partner-ca",
        vault: { server: "https://vault.example.com", path: "pki/sign/x", auth: { kubernetes: {} } },
      }),
    path: "issuers[0].vault.auth.kubernetes.role",
    says: /the Vault role cert-manager logs in as is required/,
  },
  {
    title: "a CA issuer with both an existing Secret and an inline key pair",
    mutate: (s) => (s.issuers[0].ca.certificate = THROWAWAY_CA.certificate),
    path: "issuers[0].ca",
    says: /either secretName .* or certificate \+ privateKey, not both/,
  },
  {
    title: "a CA certificate that cannot sign",
    mutate: (s) =>
      (s.issuers[0].ca = { certificate: LEAF_CERTIFICATE_PEM, privateKey: { secure: "v1:abc" } }),
    path: "issuers[0].ca.certificate",
    says: /is not a CA certificate/,
  },
  {
    title: "a CA certificate with a weak RSA key",
    mutate: (s) => (s.issuers[0].ca = { certificate: WEAK_RSA_CA_PEM, privateKey: { secure: "v1:abc" } }),
    path: "issuers[0].ca.certificate",
    says: /weak 1024-bit RSA key/,
  },
  {
    title: "cert-manager sizing for a cert-manager the stack does not install",
    mutate: (s) => (s.certManager = { install: false, controller: { replicas: 2 } }),
    path: "certManager.controller",
    says: /set install: true or remove it/,
  },
];

describe("the program refuses bad certificate configuration before registering anything", () => {
  it("registers the platform, cert-manager and the certificates from the unmodified stack (the control)", async () => {
    const { error, registered } = await runProgram(validStack());
    assert.equal(error, undefined);
    const types = registered.map((r) => r.type);
    assert.ok(types.includes("kubernetes-cert-manager:index:CertManager"));
    assert.ok(types.includes("kubernetes:cert-manager.io/v1:Certificate"));
  });

  itRefusesEach(cases, validStack);
});

describe("CA private keys as Pulumi secrets", () => {
  const inlineCa = (): Stack => {
    const stack = validStack();
    stack.issuers[0] = {
      name: "partner-ca",
      ca: { certificate: THROWAWAY_CA.certificate, privateKey: THROWAWAY_CA.privateKey },
    };
    return stack;
  };

  it("refuses a private key typed in plain text, names the command that stores it as a secret, and never echoes it", async () => {
    const { error, registered } = await runProgram(inlineCa());
    assert.equal(error?.name, "ConfigError");
    const line = error!.message.split("\n").find((l) => l.startsWith("issuers[0].ca.privateKey:"));
    assert.ok(line, error!.message);
    assert.match(line, /never sit in plain text/);
    assert.match(line, /pulumi config set --secret --path 'mesh-egress:issuers\[0\]\.ca\.privateKey'/);
    assert.doesNotMatch(error!.message, /PRIVATE KEY|MIGHAgEA/);
    assert.equal(registered.length, 0);
  });

  it("accepts the same key when the engine reports it as a secret, and registers it only as a Pulumi secret", async () => {
    const { error, registered } = await runProgram(inlineCa(), ["issuers"]);
    assert.equal(error, undefined);
    const secret = registered.find(
      (r) => r.type === "kubernetes:core/v1:Secret" && (r.inputs as any).metadata.name === "partner-ca-ca",
    );
    assert.ok(secret, "the CA Secret is registered");
    const stringData = (secret.inputs as any).stringData;
    assert.equal(
      stringData["4dabf18193072939515e22adb298388d"],
      "1b47061264138c4ac30d75fd1eb44270",
      "a secret",
    );
    assert.equal(stringData.value["tls.key"], THROWAWAY_CA.privateKey);
    assert.equal(stringData.value["tls.crt"], THROWAWAY_CA.certificate);
  });

  it("refuses a decrypted key that does not belong to the CA certificate, without echoing it", async () => {
    const stack = inlineCa();
    stack.issuers[0].ca.certificate = OTHER_ROOT_PEM;
    const { error, registered } = await runProgram(stack, ["issuers"]);
    const line = error!.message.split("\n").find((l) => l.startsWith("issuers[0].ca.privateKey:"));
    assert.match(line ?? "", /does not belong to issuers\[0\]\.ca\.certificate/);
    assert.doesNotMatch(error!.message, /MIGHAgEA/);
    assert.equal(registered.length, 0);
  });

  it("renders a stack file whose key is {secure: ...} without decrypting it, and without the key", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-"));
    const file = path.join(dir, "Pulumi.ci.yaml");
    const stack = inlineCa();
    stack.issuers[0].ca.privateKey = { secure: "v1:Zm9vYmFyYmF6" };
    fs.writeFileSync(
      file,
      JSON.stringify({
        config: Object.fromEntries(Object.entries(stack).map(([k, v]) => [`mesh-egress:${k}`, v])),
      }),
    );
    const config = loadStackFile(file);
    assert.equal(config.issuers[0].ca?.privateKey?.state, "encrypted");
    const { renderDocuments } = require("../cli/render");
    const text = JSON.stringify(renderDocuments(config));
    assert.doesNotMatch(text, /PRIVATE KEY|Zm9vYmFyYmF6/);
    assert.match(text, /tls\.key=mesh-egress:issuers\[0\]\.ca\.privateKey/);
  });

  it("refuses a plain-text key in a stack file at render time too", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-"));
    const file = path.join(dir, "Pulumi.ci.yaml");
    const stack = inlineCa();
    fs.writeFileSync(
      file,
      JSON.stringify({
        config: Object.fromEntries(Object.entries(stack).map(([k, v]) => [`mesh-egress:${k}`, v])),
      }),
    );
    assert.throws(
      () => loadStackFile(file),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.issues.some((i) => i.path === "issuers[0].ca.privateKey" && /plain text/.test(i.message)),
    );
  });
});
