import * as assert from "node:assert/strict";
import { ResourceValidationArgs } from "@pulumi/policy";
import { resourcePolicy } from "../policies";
import { certificateKeyStrength } from "../rules/tls/certificate-key-strength";
import {
  clientCertificateMaxLifetime,
  clientCertificateMaxLifetimeRule,
} from "../rules/tls/client-certificate-max-lifetime";
import { issuerKeysOutsideGatewayNamespace } from "../rules/tls/issuer-keys-outside-gateway-namespace";
import { mutualOriginationCredentialProvided } from "../rules/tls/mutual-origination-credential-provided";
import { mutualOriginationServerRootsProvided } from "../rules/tls/mutual-origination-server-roots-provided";
import { KubernetesObject } from "../contract";
import { compliantPlatform, find, GATEWAY_NS, Mutable } from "./compliant-platform";
import { asEngineResource, urnOf } from "./crossguard-harness";
import { assertOnlyRuleFires, assertRulePasses } from "./rule-harness";

const clientCertificate = (objects: KubernetesObject[]): Mutable =>
  find(objects, "Certificate", "egress-partner-client", GATEWAY_NS);
const mutualTls = (objects: KubernetesObject[]): Mutable =>
  find(objects, "DestinationRule", "egress-origination-partner").spec.trafficPolicy.portLevelSettings[0].tls;
const without = (objects: KubernetesObject[], kind: string, name: string): KubernetesObject[] =>
  objects.filter((o) => !(o.kind === kind && o.metadata.name === name));

describe("certificate rules", () => {
  describe("certificate-key-strength", () => {
    it("accepts ECDSA P-256, RSA 2048 and a key left to cert-manager's default", () => {
      for (const privateKey of [
        { algorithm: "ECDSA", size: 256 },
        { algorithm: "RSA", size: 2048 },
        undefined,
      ]) {
        const objects = compliantPlatform();
        clientCertificate(objects).spec.privateKey = privateKey;
        assertRulePasses(objects, certificateKeyStrength);
      }
    });

    it("flags a 1024-bit RSA key", () => {
      const objects = compliantPlatform();
      clientCertificate(objects).spec.privateKey = { algorithm: "RSA", size: 1024 };
      const [f] = assertOnlyRuleFires(objects, certificateKeyStrength);
      assert.match(
        f?.message ?? "",
        /Certificate istio-egress\/egress-partner-client: requests a weak 1024-bit RSA key/,
      );
    });

    it("flags an ECDSA size that is no NIST curve", () => {
      const objects = compliantPlatform();
      clientCertificate(objects).spec.privateKey = { algorithm: "ECDSA", size: 192 };
      const [f] = assertOnlyRuleFires(objects, certificateKeyStrength);
      assert.match(f?.message ?? "", /ECDSA size 192/);
    });

    it("flags a weak key on a CA certificate too", () => {
      const objects = compliantPlatform();
      Object.assign(clientCertificate(objects).spec, {
        isCA: true,
        usages: ["cert sign"],
        privateKey: { algorithm: "RSA", size: 1536 },
      });
      // A CA certificate named as the client credential also trips the credential rule: only check this one.
      const found = certificateKeyStrength.check(clientCertificate(objects));
      assert.equal(found.length, 1);
      assert.match(found[0].message, /weak 1536-bit RSA key/);
    });
  });

  describe("client-certificate-max-lifetime", () => {
    it("accepts a 90-day client certificate renewed 15 days before expiry", () => {
      assertRulePasses(compliantPlatform(), clientCertificateMaxLifetimeRule);
    });

    it("flags a client certificate valid for a year", () => {
      const objects = compliantPlatform();
      clientCertificate(objects).spec.duration = "8760h";
      const [f] = assertOnlyRuleFires(objects, clientCertificateMaxLifetimeRule);
      assert.match(f?.message ?? "", /valid for 365 days \(duration 8760h\), longer than the 90-day maximum/);
    });

    it("flags a client certificate that is never renewed before it expires", () => {
      const objects = compliantPlatform();
      clientCertificate(objects).spec.renewBefore = "2160h";
      const found = assertOnlyRuleFires(objects, clientCertificateMaxLifetimeRule, {
        rules: [clientCertificateMaxLifetimeRule],
      });
      assert.match(found[0]?.message ?? "", /never renewed before it expires/);
    });

    it("ignores certificates that are not client certificates, such as a long-lived CA", () => {
      const objects = compliantPlatform();
      Object.assign(clientCertificate(objects).spec, {
        isCA: true,
        usages: ["cert sign"],
        duration: "87600h",
      });
      assert.deepEqual(clientCertificateMaxLifetimeRule.check(clientCertificate(objects)), []);
    });

    it("takes its maximum from the policy config: 30 days flags the 90-day certificate", () => {
      const strict = clientCertificateMaxLifetimeRule.settings!.configure({ maxDays: 30 });
      const [v] = strict.scope === "resource" ? strict.check(clientCertificate(compliantPlatform())) : [];
      assert.match(v?.message ?? "", /longer than the 30-day maximum/);
      assert.deepEqual(
        clientCertificateMaxLifetime(120).check(clientCertificate(compliantPlatform())),
        [],
        "a looser maximum accepts it",
      );
    });

    it("declares maxDays to CrossGuard and applies the value the engine passes", async () => {
      const policy = resourcePolicy(clientCertificateMaxLifetimeRule);
      assert.deepEqual(policy.configSchema?.properties?.maxDays, {
        type: "integer",
        minimum: 1,
        default: 90,
        description: "The longest lifetime, in days, a client certificate may request.",
      });
      const resource = asEngineResource(clientCertificate(compliantPlatform()));
      const messages: string[] = [];
      const args = {
        type: resource.type,
        props: resource.props,
        urn: urnOf(resource),
        name: resource.name,
        getConfig: () => ({ maxDays: 60 }),
        notApplicable: () => {
          throw new Error("applicable");
        },
      } as unknown as ResourceValidationArgs;
      const validate = policy.validateResource as (a: ResourceValidationArgs, r: (m: string) => void) => void;
      validate(args, (message) => messages.push(message));
      assert.equal(messages.length, 1);
      assert.match(messages[0], /longer than the 60-day maximum/);
    });
  });

  describe("mutual-origination-credential-provided", () => {
    it("accepts a MUTUAL rule whose credential a client-auth Certificate issues", () => {
      assertRulePasses(compliantPlatform(), mutualOriginationCredentialProvided);
    });

    it("accepts a credential provided by a plain Secret instead", () => {
      const objects = without(compliantPlatform(), "Certificate", "egress-partner-client");
      objects.push({
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "egress-partner-client", namespace: GATEWAY_NS },
        type: "kubernetes.io/tls",
        data: { "tls.crt": "Y2VydA==", "tls.key": "a2V5" },
      });
      assertRulePasses(objects, mutualOriginationCredentialProvided);
    });

    it("flags a MUTUAL rule whose credential nothing in the stack provides", () => {
      const objects = without(compliantPlatform(), "Certificate", "egress-partner-client");
      const [f] = assertOnlyRuleFires(objects, mutualOriginationCredentialProvided);
      assert.match(
        f?.message ?? "",
        /DestinationRule istio-egress\/egress-origination-partner: trafficPolicy\.portLevelSettings\[0\]\.tls presents credential "egress-partner-client", but no Certificate/,
      );
    });

    it("flags a credential whose Certificate lives in another namespace than the rule", () => {
      const objects = compliantPlatform();
      clientCertificate(objects).metadata.namespace = "payments";
      const f = assertOnlyRuleFires(objects, mutualOriginationCredentialProvided);
      assert.match(
        f[0]?.message ?? "",
        /no Certificate \(secretName egress-partner-client\) or Secret in istio-egress/,
      );
    });

    it("flags a credential issued without the client auth usage", () => {
      const objects = compliantPlatform();
      clientCertificate(objects).spec.usages = ["server auth", "digital signature"];
      const [f] = assertOnlyRuleFires(objects, mutualOriginationCredentialProvided);
      assert.match(f?.message ?? "", /without the client auth usage/);
    });
  });

  describe("mutual-origination-server-roots-provided", () => {
    it("accepts a MUTUAL rule with <credentialName>-cacert beside it", () => {
      assertRulePasses(compliantPlatform(), mutualOriginationServerRootsProvided);
    });

    it("accepts roots in an existing Secret the rule declares by annotation", () => {
      const objects = without(compliantPlatform(), "Secret", "egress-partner-client-cacert");
      find(objects, "DestinationRule", "egress-origination-partner").metadata.annotations = {
        "mesh-egress.io/server-roots-secret": "egress-partner-client-cacert",
      };
      assertRulePasses(objects, mutualOriginationServerRootsProvided);
    });

    it("flags a MUTUAL rule whose server roots would fall back to the client issuer's CA", () => {
      const objects = without(compliantPlatform(), "Secret", "egress-partner-client-cacert");
      const [f] = assertOnlyRuleFires(objects, mutualOriginationServerRootsProvided);
      assert.match(f?.message ?? "", /no Secret egress-partner-client-cacert holds the server's roots/);
    });

    it("flags a roots Secret without a cacert or ca.crt key", () => {
      const objects = compliantPlatform();
      find(objects, "Secret", "egress-partner-client-cacert").stringData = { "roots.pem": "x" };
      const [f] = assertOnlyRuleFires(objects, mutualOriginationServerRootsProvided);
      assert.match(f?.message ?? "", /holds neither cacert nor ca\.crt/);
    });

    it("flags an annotation that names a Secret istiod does not read", () => {
      const objects = without(compliantPlatform(), "Secret", "egress-partner-client-cacert");
      find(objects, "DestinationRule", "egress-origination-partner").metadata.annotations = {
        "mesh-egress.io/server-roots-secret": "partner-roots",
      };
      assertOnlyRuleFires(objects, mutualOriginationServerRootsProvided);
    });

    it("leaves SIMPLE origination to the system roots", () => {
      const objects = compliantPlatform();
      mutualTls(objects).mode = "SIMPLE";
      assert.deepEqual(
        mutualOriginationServerRootsProvided.check(objects, undefined as never),
        [],
        "only MUTUAL rules are checked",
      );
    });
  });

  describe("issuer-keys-outside-gateway-namespace", () => {
    const issuer = (kind: string, namespace: string | undefined, spec: Record<string, unknown>) => ({
      apiVersion: "cert-manager.io/v1",
      kind,
      metadata: { name: "partner-clients", ...(namespace ? { namespace } : {}) },
      spec,
    });
    const caCertificate = (namespace: string): KubernetesObject => ({
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: { name: "dev-root-ca", namespace },
      spec: { isCA: true, secretName: "dev-root-ca", issuerRef: { name: "dev-root-selfsigned" } },
    });

    it("accepts a CA ClusterIssuer, a CA certificate in cert-manager's namespace and a Vault Issuer beside the gateway", () => {
      const objects = [
        ...compliantPlatform(),
        issuer("ClusterIssuer", undefined, { ca: { secretName: "partner-clients-ca" } }),
        caCertificate("cert-manager"),
        issuer("Issuer", GATEWAY_NS, { vault: { server: "https://vault.example", path: "pki/sign/egress" } }),
      ];
      assertRulePasses(objects, issuerKeysOutsideGatewayNamespace);
    });

    it("flags a CA Issuer in the gateway namespace, whose key pair the gateway can read", () => {
      const objects = [
        ...compliantPlatform(),
        issuer("Issuer", GATEWAY_NS, { ca: { secretName: "partner-clients-ca" } }),
      ];
      const [f] = assertOnlyRuleFires(objects, issuerKeysOutsideGatewayNamespace);
      assert.match(f?.message ?? "", /signs from CA Secret partner-clients-ca in the gateway namespace/);
    });

    it("flags a CA Certificate issued into the gateway namespace", () => {
      const objects = [...compliantPlatform(), caCertificate(GATEWAY_NS)];
      const [f] = assertOnlyRuleFires(objects, issuerKeysOutsideGatewayNamespace);
      assert.deepEqual([f?.kind, f?.name], ["Certificate", "dev-root-ca"]);
    });
  });
});
