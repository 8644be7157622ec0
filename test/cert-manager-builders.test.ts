import { strict as assert } from "assert";
import { buildCertManagerManifests, certManagerChartValues } from "../components/cert-manager";
import { buildExternalServiceManifests } from "../components/external-service";
import { certManagerArgs, CERT_MANAGER_TYPED_VALUES } from "../components/pulumi/cert-manager";
import type { KubernetesObject } from "../components/kubernetes-object";
import {
  buildOriginationCertificateManifests,
  originationObjectsInApplyOrder,
} from "../components/origination-certificates";
import { buildIssuerManifests } from "../components/origination-issuers";
import { renderDocuments } from "../cli/render";
import type { EgressConfig } from "../stacks/model/egress-config";
import {
  certificateStackValues,
  OTHER_ROOT_PEM,
  PARTNER_ROOT_PEM,
  THROWAWAY_CA,
} from "./support/certificate-fixtures";
import { configFrom } from "./support/config-fixtures";
import { projectStack } from "./support/stacks";

const OWNED = { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "mesh-egress" };
const COMPONENT = { "app.kubernetes.io/component": "origination-certificates" };

function only(objects: readonly KubernetesObject[], kind: string, name: string): KubernetesObject {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  assert.equal(
    found.length,
    1,
    `exactly one ${kind} ${name} in ${objects.map((o) => o.kind + "/" + o.metadata.name)}`,
  );
  return found[0];
}

function originationTls(config: EgressConfig, serviceName: string): Record<string, unknown> {
  const service = config.services.find((s) => s.name === serviceName)!;
  const rule = buildExternalServiceManifests(service, config).find((o) => o.kind === "DestinationRule")!;
  return (rule.spec as any).trafficPolicy.portLevelSettings[0].tls;
}

describe("origination certificate builders", () => {
  const config = configFrom(certificateStackValues());
  const objects = originationObjectsInApplyOrder(buildOriginationCertificateManifests(config));

  it("issues an originate-mutual service's client certificate into the Secret its DestinationRule names", () => {
    assert.deepEqual(only(objects, "Certificate", "partner-client"), {
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: {
        name: "partner-client",
        namespace: "istio-egress",
        labels: { ...OWNED, ...COMPONENT, "mesh-egress.io/external-service": "partner" },
      },
      spec: {
        secretName: "partner-client",
        secretTemplate: {
          labels: {
            "app.kubernetes.io/part-of": "mesh-egress",
            "mesh-egress.io/external-service": "partner",
          },
        },
        commonName: "acme-egress",
        dnsNames: ["egress.acme.example"],
        uris: ["spiffe://acme.example/egress/partner"],
        subject: { organizations: ["Acme Ltd"], countries: ["GB"] },
        duration: "2160h",
        renewBefore: "360h",
        privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
        usages: ["client auth", "digital signature"],
        // A CA issuer defaults to a ClusterIssuer: its key stays out of the gateway namespace.
        issuerRef: { name: "corp-ca", kind: "ClusterIssuer", group: "cert-manager.io" },
        revisionHistoryLimit: 3,
      },
    });
    assert.equal(originationTls(config, "partner").credentialName, "partner-client");
    assert.equal(originationTls(config, "partner").mode, "MUTUAL");
  });

  it("requests the key algorithm, size and lifetime the stack asks for", () => {
    const values = certificateStackValues();
    Object.assign(values.services[0].tls.clientCertificate, {
      issuer: "inline-ca",
      privateKey: { algorithm: "RSA", size: 4096 },
      duration: "720h",
      renewBefore: "240h",
    });
    const certificate = only(
      originationObjectsInApplyOrder(buildOriginationCertificateManifests(configFrom(values))),
      "Certificate",
      "partner-client",
    );
    const spec = certificate.spec as any;
    assert.deepEqual(spec.privateKey, { algorithm: "RSA", size: 4096, rotationPolicy: "Always" });
    assert.equal(spec.duration, "720h");
    assert.equal(spec.renewBefore, "240h");
    assert.deepEqual(spec.issuerRef, { name: "inline-ca", kind: "ClusterIssuer", group: "cert-manager.io" });
  });

  it("puts the external server's roots in <credentialName>-cacert under key cacert, never in the client Secret", () => {
    assert.deepEqual(only(objects, "Secret", "partner-client-cacert"), {
      apiVersion: "v1",
      kind: "Secret",
      metadata: {
        name: "partner-client-cacert",
        namespace: "istio-egress",
        labels: { ...OWNED, ...COMPONENT, "mesh-egress.io/external-service": "partner" },
      },
      type: "Opaque",
      stringData: { cacert: PARTNER_ROOT_PEM },
    });
    assert.ok(!objects.some((o) => o.kind === "Secret" && o.metadata.name === "partner-client"));
  });

  it("verifies an originate service with a private CA through a roots-only credential in SIMPLE mode", () => {
    assert.deepEqual(originationTls(config, "fx"), {
      mode: "SIMPLE",
      sni: "rates.fx.example",
      subjectAltNames: ["rates.fx.example"],
      credentialName: "fx-server",
    });
    const roots = only(objects, "Secret", "fx-server-cacert");
    assert.deepEqual(roots.stringData, { cacert: OTHER_ROOT_PEM });
    assert.ok(
      !objects.some((o) => o.metadata.name === "fx-server"),
      "no client credential exists for SIMPLE",
    );
  });

  it("keeps the gateway's system roots for an originate service without a bundle", () => {
    assert.deepEqual(originationTls(config, "openai"), {
      mode: "SIMPLE",
      sni: "api.openai.com",
      subjectAltNames: ["api.openai.com"],
    });
    assert.ok(!objects.some((o) => o.metadata.labels?.["mesh-egress.io/external-service"] === "openai"));
  });

  it("uses a Secret given by secretRef as it is, and copies nothing", () => {
    const values = certificateStackValues();
    values.services[0].tls.caBundle = { secretRef: { name: "partner-client-cacert", key: "cacert" } };
    values.services[1].tls.caBundle = { secretRef: { name: "fx-roots-cacert" } };
    const withRefs = configFrom(values);
    const built = originationObjectsInApplyOrder(buildOriginationCertificateManifests(withRefs));
    assert.deepEqual(
      built.filter((o) => o.kind === "Secret").map((o) => o.metadata.name),
      ["inline-ca-ca"],
      "only the Pulumi-secret CA Secret is built",
    );
    assert.equal(originationTls(withRefs, "partner").credentialName, "partner-client");
    assert.equal(originationTls(withRefs, "fx").credentialName, "fx-roots");
    // The stack does not manage that Secret: the rule says where its roots are, for reviewers and the pack.
    const partner = withRefs.services.find((s) => s.name === "partner")!;
    const rule = buildExternalServiceManifests(partner, withRefs).find((o) => o.kind === "DestinationRule")!;
    assert.deepEqual(rule.metadata.annotations, {
      "mesh-egress.io/server-roots-secret": "partner-client-cacert",
    });
    const inline = config.services.find((s) => s.name === "partner")!;
    const inlineRule = buildExternalServiceManifests(inline, config).find(
      (o) => o.kind === "DestinationRule",
    )!;
    assert.equal(inlineRule.metadata.annotations, undefined, "no annotation when the stack writes the roots");
  });

  it("bootstraps a dev root as ClusterIssuers, its CA key pair in cert-manager's namespace, never the gateway's", () => {
    const issuer = config.issuers.find((i) => i.name === "dev-root")!;
    const labels = { ...OWNED, ...COMPONENT, "mesh-egress.io/issuer": "dev-root" };
    const built = buildIssuerManifests(issuer, 0, config);
    assert.deepEqual(
      [...built.prerequisites, built.issuerObject],
      [
        {
          apiVersion: "cert-manager.io/v1",
          kind: "ClusterIssuer",
          metadata: { name: "dev-root-selfsigned", labels },
          spec: { selfSigned: {} },
        },
        {
          apiVersion: "cert-manager.io/v1",
          kind: "Certificate",
          metadata: { name: "dev-root-ca", namespace: "cert-manager", labels },
          spec: {
            isCA: true,
            commonName: "Acme dev root",
            secretName: "dev-root-ca",
            secretTemplate: {
              labels: { "app.kubernetes.io/part-of": "mesh-egress", "mesh-egress.io/issuer": "dev-root" },
            },
            duration: "26280h",
            renewBefore: "2160h",
            privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
            usages: ["cert sign", "crl sign", "digital signature"],
            issuerRef: { name: "dev-root-selfsigned", kind: "ClusterIssuer", group: "cert-manager.io" },
          },
        },
        {
          apiVersion: "cert-manager.io/v1",
          kind: "ClusterIssuer",
          metadata: { name: "dev-root", labels },
          spec: { ca: { secretName: "dev-root-ca" } },
        },
      ],
    );
  });

  it("builds a CA issuer over an existing Secret and nothing else", () => {
    const issuer = config.issuers.find((i) => i.name === "corp-ca")!;
    const built = buildIssuerManifests(issuer, 1, config);
    assert.deepEqual(built.prerequisites, []);
    assert.deepEqual(built.issuerObject.spec, { ca: { secretName: "corp-egress-ca" } });
    assert.equal(built.issuerObject.kind, "ClusterIssuer");
    assert.equal(built.issuerObject.metadata.namespace, undefined);
  });

  it("builds a Pulumi-secret CA key pair as a Secret holding the certificate only, annotated with the secret that fills tls.key", () => {
    const issuer = config.issuers.find((i) => i.name === "inline-ca")!;
    const built = buildIssuerManifests(issuer, 2, config);
    assert.deepEqual(built.prerequisites, [
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: {
          name: "inline-ca-ca",
          // A ClusterIssuer reads its Secret from cert-manager's cluster resource namespace.
          namespace: "cert-manager",
          labels: { ...OWNED, ...COMPONENT, "mesh-egress.io/issuer": "inline-ca" },
          annotations: {
            "mesh-egress.io/pulumi-secret-keys": "tls.key",
            "mesh-egress.io/pulumi-secret-source": "tls.key=mesh-egress:issuers[2].ca.privateKey",
          },
        },
        type: "kubernetes.io/tls",
        stringData: { "tls.crt": THROWAWAY_CA.certificate },
      },
    ]);
    assert.deepEqual(built.issuerObject, {
      apiVersion: "cert-manager.io/v1",
      kind: "ClusterIssuer",
      metadata: {
        name: "inline-ca",
        labels: { ...OWNED, ...COMPONENT, "mesh-egress.io/issuer": "inline-ca" },
      },
      spec: { ca: { secretName: "inline-ca-ca" } },
    });
  });

  it("gives a Vault issuer its ServiceAccount and only the token-request permission cert-manager needs", () => {
    const issuer = config.issuers.find((i) => i.name === "vault-pki")!;
    const labels = { ...OWNED, ...COMPONENT, "mesh-egress.io/issuer": "vault-pki" };
    const built = buildIssuerManifests(issuer, 3, config);
    assert.deepEqual(built.prerequisites, [
      {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name: "vault-pki-vault", namespace: "istio-egress", labels },
        automountServiceAccountToken: false,
      },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: { name: "vault-pki-vault-token-request", namespace: "istio-egress", labels },
        rules: [
          {
            apiGroups: [""],
            resources: ["serviceaccounts/token"],
            resourceNames: ["vault-pki-vault"],
            verbs: ["create"],
          },
        ],
      },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: "vault-pki-vault-token-request", namespace: "istio-egress", labels },
        roleRef: {
          apiGroup: "rbac.authorization.k8s.io",
          kind: "Role",
          name: "vault-pki-vault-token-request",
        },
        subjects: [{ kind: "ServiceAccount", name: "cert-manager", namespace: "cert-manager" }],
      },
    ]);
    assert.deepEqual(built.issuerObject.spec, {
      vault: {
        server: "https://vault.example.com:8200",
        path: "pki_egress/sign/clearing",
        caBundle: Buffer.from(OTHER_ROOT_PEM).toString("base64"),
        auth: {
          kubernetes: {
            role: "egress-clients",
            mountPath: "/v1/auth/kubernetes",
            serviceAccountRef: { name: "vault-pki-vault" },
          },
        },
      },
    });
  });

  it("grants token requests to an existing cert-manager's own ServiceAccount when the stack does not install it", () => {
    const values = certificateStackValues();
    values.certManager = { install: false, namespace: "security", serviceAccountName: "cm-controller" };
    const existing = configFrom(values);
    const issuer = existing.issuers.find((i) => i.name === "vault-pki")!;
    const binding = buildIssuerManifests(issuer, 3, existing).prerequisites[2] as any;
    assert.deepEqual(binding.subjects, [
      { kind: "ServiceAccount", name: "cm-controller", namespace: "security" },
    ]);
  });

  it("never puts private key material in the objects it builds", () => {
    const text = JSON.stringify(renderDocuments(config));
    assert.doesNotMatch(text, /PRIVATE KEY/);
    assert.doesNotMatch(text, /AAABBBCCC/, "the ciphertext of the Pulumi secret is not rendered either");
  });
});

describe("the cert-manager installation", () => {
  it("pins cert-manager v1.21.1 with its CRDs kept, and gives prod two replicas of each part and a controller budget", () => {
    const { namespace, chart } = buildCertManagerManifests(configFrom(certificateStackValues("prod")));
    assert.deepEqual(namespace, {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "cert-manager", labels: { ...OWNED, "app.kubernetes.io/component": "cert-manager" } },
    });
    assert.deepEqual(chart, {
      releaseName: "cert-manager",
      namespace: "cert-manager",
      chart: "cert-manager",
      version: "v1.21.1",
      repository: "https://charts.jetstack.io",
      repositoryName: "jetstack",
      values: {
        crds: { enabled: true, keep: true },
        replicaCount: 2,
        resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
        webhook: {
          replicaCount: 2,
          resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
        },
        cainjector: {
          replicaCount: 2,
          resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } },
        },
        podDisruptionBudget: { enabled: true, minAvailable: 1 },
      },
    });
  });

  it("gives dev one replica of each part and no disruption budget", () => {
    const values = certManagerChartValues(configFrom(certificateStackValues("dev")));
    assert.equal(values.replicaCount, 1);
    assert.equal((values.webhook as any).replicaCount, 1);
    assert.equal((values.cainjector as any).replicaCount, 1);
    assert.equal(values.podDisruptionBudget, undefined);
  });

  it("lets a stack override one part's replicas and requests while keeping the rest of the baseline", () => {
    const values = certificateStackValues("prod");
    values.certManager = {
      install: true,
      webhook: { replicas: 3, resources: { requests: { memory: "96Mi" } } },
    };
    const webhook = certManagerChartValues(configFrom(values)).webhook as any;
    assert.deepEqual(webhook, {
      replicaCount: 3,
      resources: { requests: { cpu: "50m", memory: "96Mi" }, limits: { memory: "256Mi" } },
    });
  });

  it("passes typed values as CertManager arguments and the rest through helmOptions.values, pinned, with installCRDs", () => {
    const { chart } = buildCertManagerManifests(configFrom(certificateStackValues("prod")));
    assert.deepEqual(certManagerArgs(chart), {
      replicaCount: 2,
      resources: chart.values.resources,
      webhook: chart.values.webhook,
      cainjector: chart.values.cainjector,
      installCRDs: true,
      helmOptions: {
        name: "cert-manager",
        namespace: "cert-manager",
        chart: "cert-manager",
        version: "v1.21.1",
        repositoryOpts: { repo: "https://charts.jetstack.io" },
        values: {
          crds: { enabled: true, keep: true },
          podDisruptionBudget: { enabled: true, minAvailable: 1 },
        },
      },
    });
    for (const key of Object.keys(certManagerArgs(chart).helmOptions!.values as object)) {
      assert.ok(!CERT_MANAGER_TYPED_VALUES.has(key), `${key} would be overwritten by a typed argument`);
    }
  });

  it("refuses a webhook value the CertManager component would silently drop", () => {
    const { chart } = buildCertManagerManifests(configFrom(certificateStackValues("prod")));
    const withBudget = {
      ...chart,
      values: { ...chart.values, webhook: { replicaCount: 2, podDisruptionBudget: { enabled: true } } },
    };
    assert.throws(() => certManagerArgs(withBudget), /webhook\.podDisruptionBudget cannot pass through/);
  });

  it("builds nothing to install when the stack uses the cert-manager already in the cluster", () => {
    const values = certificateStackValues("prod");
    values.certManager = { install: false };
    const documents = renderDocuments(configFrom(values));
    assert.ok(
      !documents.some((d) => d.kind === "HelmRelease" && (d.spec as any).chart.spec.chart === "cert-manager"),
    );
    assert.ok(!documents.some((d) => d.kind === "Namespace" && d.metadata.name === "cert-manager"));
    assert.ok(
      documents.some((d) => d.kind === "ClusterIssuer" && d.metadata.name === "corp-ca"),
      "issuers still render",
    );
  });
});

describe("cert-manager in the render", () => {
  it("shows cert-manager as a pinned Flux HelmRelease that waits for no other chart", () => {
    const documents = renderDocuments(projectStack("dev"));
    const releases = documents.filter((d) => d.kind === "HelmRelease") as any[];
    const certManager = releases.find((r) => r.spec.chart.spec.chart === "cert-manager");
    assert.equal(certManager.metadata.namespace, "cert-manager");
    assert.equal(certManager.spec.chart.spec.version, "v1.21.1");
    assert.deepEqual(certManager.spec.chart.spec.sourceRef, {
      kind: "HelmRepository",
      name: "jetstack",
      namespace: "cert-manager",
    });
    assert.deepEqual(certManager.spec.values.crds, { enabled: true, keep: true });
    assert.equal(certManager.spec.dependsOn, undefined);
    const gateway = releases.find((r) => r.spec.chart.spec.chart === "gateway");
    assert.deepEqual(gateway.spec.dependsOn, [{ name: "istiod", namespace: "istio-system" }]);
  });

  it("orders issuers before the certificates they sign, and both before the routes that use them", () => {
    for (const stack of ["dev", "prod"] as const) {
      const documents = renderDocuments(projectStack(stack));
      const index = (kind: string, name: string) =>
        documents.findIndex((d) => d.kind === kind && d.metadata.name === name);
      // The dev root holds a CA key, so it is a ClusterIssuer; prod's Vault issuer holds none.
      const [issuerKind, issuer] =
        stack === "dev" ? ["ClusterIssuer", "egress-dev-ca"] : ["Issuer", "partner-clients"];
      const certificate = index("Certificate", "clearing-partner-client");
      assert.ok(
        index("HelmRelease", "cert-manager") < index(issuerKind, issuer),
        `${stack}: CRDs before issuers`,
      );
      assert.ok(index(issuerKind, issuer) < certificate, `${stack}: issuer before certificate`);
      assert.ok(
        certificate < index("DestinationRule", "clearing-partner-origination"),
        `${stack}: certificate first`,
      );
      assert.ok(
        index("Secret", "clearing-partner-client-cacert") <
          index("DestinationRule", "clearing-partner-origination"),
        `${stack}: server roots first`,
      );
    }
  });

  it("gives the partner service of both stacks its client certificate and its own server roots", () => {
    for (const stack of ["dev", "prod"] as const) {
      const documents = renderDocuments(projectStack(stack));
      const rule = only(documents, "DestinationRule", "clearing-partner-origination");
      const tls = (rule.spec as any).trafficPolicy.portLevelSettings[0].tls;
      const certificate = only(documents, "Certificate", tls.credentialName);
      assert.equal((certificate.spec as any).secretName, tls.credentialName);
      assert.deepEqual((certificate.spec as any).usages, ["client auth", "digital signature"]);
      const roots = only(documents, "Secret", `${tls.credentialName}-cacert`);
      assert.match(roots.stringData!.cacert, /BEGIN CERTIFICATE/);
      assert.equal(roots.metadata.namespace, rule.metadata.namespace);
    }
  });
});
