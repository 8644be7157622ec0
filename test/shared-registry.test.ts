import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml, parseAllDocuments, stringify } from "yaml";
import { ConfigError } from "../stacks/model/config-error";
import { loadStackFile } from "../stacks/load-config";
import { installPulumiMocks } from "./support/pulumi-harness";
import { runCli } from "./support/run-cli";
import { runProgram } from "./support/run-program";
import { PROJECT_DIR } from "./support/stacks";

const REGISTRY = path.join(PROJECT_DIR, "registries", "prod.yaml");
const clusterStack = (name: string) => path.join(PROJECT_DIR, `Pulumi.${name}.yaml`);

/** A temporary project holding copies of the prod cluster stacks and their registry. */
function copyProject(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-registry-"));
  fs.mkdirSync(path.join(dir, "registries"));
  fs.copyFileSync(REGISTRY, path.join(dir, "registries", "prod.yaml"));
  for (const stack of ["prod-eu", "prod-us"]) {
    fs.copyFileSync(clusterStack(stack), path.join(dir, `Pulumi.${stack}.yaml`));
  }
  return dir;
}

/** Rewrites a YAML file through a mutation of its parsed value. */
function editYaml(file: string, mutate: (doc: any) => void): void {
  const doc = parseYaml(fs.readFileSync(file, "utf8"));
  mutate(doc);
  fs.writeFileSync(file, stringify(doc));
}

function configErrorOf(load: () => unknown): ConfigError {
  try {
    load();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  assert.fail("expected a ConfigError");
}

const registryObjects = (stdout: string) =>
  parseAllDocuments(stdout)
    .map((d) => d.toJS())
    .filter((o) => ["ServiceEntry", "VirtualService", "Sidecar", "AuthorizationPolicy"].includes(o.kind));

describe("one registry shared by several cluster stacks", () => {
  before(installPulumiMocks);

  it("gives prod-eu and prod-us the services and tenants of registries/prod.yaml, as Pulumi.prod.yaml declares them", () => {
    const eu = loadStackFile(clusterStack("prod-eu"));
    const us = loadStackFile(clusterStack("prod-us"));
    const prod = loadStackFile(clusterStack("prod"));
    assert.deepEqual(eu.services, prod.services);
    assert.deepEqual(eu.tenants, prod.tenants);
    assert.deepEqual(us.services, eu.services);
    assert.deepEqual(us.tenants, eu.tenants);
    assert.deepEqual(
      eu.services.map((s) => s.name),
      ["stripe", "identity", "openai", "clearing-partner", "legacy-fx-rates"],
    );
  });

  it("keeps each cluster's own gateway sizing, control plane and Vault login path", () => {
    const eu = loadStackFile(clusterStack("prod-eu"));
    const us = loadStackFile(clusterStack("prod-us"));
    assert.deepEqual(
      [eu.gateway.replicas, us.gateway.replicas],
      [
        { min: 3, max: 12 },
        { min: 4, max: 16 },
      ],
    );
    assert.deepEqual([eu.controlPlane.install, us.controlPlane.install], [false, true]);
    assert.deepEqual(
      [eu, us].map((c) => c.issuers[0].vault?.auth.kubernetes.mountPath),
      ["/v1/auth/kubernetes-prod-eu1", "/v1/auth/kubernetes-prod-us1"],
    );
  });

  it("renders the same registry objects for both clusters and differs only in per-cluster objects", async () => {
    const eu = await runCli(["render", "--stack", "prod-eu"]);
    const us = await runCli(["render", "--stack", "prod-us"]);
    assert.equal(eu.status, 0, eu.stderr);
    assert.equal(us.status, 0, us.stderr);
    const euObjects = registryObjects(eu.stdout);
    assert.ok(euObjects.length >= 10, `registry objects rendered: ${euObjects.length}`);
    assert.deepEqual(registryObjects(us.stdout), euObjects);
    const gatewayValues = (stdout: string) =>
      parseAllDocuments(stdout)
        .map((d) => d.toJS())
        .find((o) => o.kind === "HelmRelease" && o.spec.chart.spec.chart === "gateway").spec.values;
    assert.equal(gatewayValues(eu.stdout).autoscaling.minReplicas, 3);
    assert.equal(gatewayValues(us.stdout).autoscaling.minReplicas, 4);
    assert.deepEqual(gatewayValues(us.stdout).nodeSelector, { "node.acme.example/pool": "egress" });
  });

  for (const stack of ["prod-eu", "prod-us"]) {
    it(`lints the ${stack} render clean at prod's levels`, async () => {
      const render = await runCli(["render", "--stack", stack]);
      const lint = await runCli(["lint", "--environment", "prod", "-"], render.stdout);
      assert.equal(lint.status, 0, lint.stdout + lint.stderr);
      assert.match(lint.stdout, /No violations\./);
    });
  }

  it("deploys a cluster stack's shared registry under pulumi up (the program reads the file too)", async () => {
    const stack = parseYaml(fs.readFileSync(clusterStack("prod-us"), "utf8")).config;
    const values = Object.fromEntries(
      Object.entries(stack).map(([key, value]) => [key.replace(/^mesh-egress:/, ""), value]),
    );
    const { error, registered } = await runProgram(values);
    assert.equal(error, undefined, error?.message);
    const entries = registered.filter((r) => r.type === "kubernetes:networking.istio.io/v1:ServiceEntry");
    assert.deepEqual(entries.map((r) => (r.inputs.metadata as any).name).sort(), [
      "clearing-partner",
      "identity",
      "legacy-fx-rates",
      "openai",
      "stripe",
    ]);
  });

  it("names the registry file and the entry's path there for a bad reference in the shared file", () => {
    const dir = copyProject();
    editYaml(
      path.join(dir, "registries", "prod.yaml"),
      (doc) => (doc.tenants[2].allow[0] = "clearing-partnr"),
    );
    for (const stack of ["prod-eu", "prod-us"]) {
      const error = configErrorOf(() => loadStackFile(path.join(dir, `Pulumi.${stack}.yaml`)));
      assert.equal(error.source, path.join(dir, `Pulumi.${stack}.yaml`));
      // The misspelt grant comes first; the tenant's rate-limit override for the real service follows from it.
      assert.equal(error.issues[0].path, "registries/prod.yaml: tenants[2].allow[0]");
      assert.match(error.issues[0].message, /unknown external service "clearing-partnr"/);
    }
  });

  it("prints that file and path from render, exiting 2 with nothing on stdout", async () => {
    const dir = copyProject();
    editYaml(path.join(dir, "registries", "prod.yaml"), (doc) => (doc.services[1].hosts = ["*.auth0.com"]));
    const result = await runCli(["render", "--stack-file", path.join(dir, "Pulumi.prod-eu.yaml")]);
    assert.equal(result.status, 2);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /^registries\/prod\.yaml: services\[1\]\.hosts\[0\]: wildcard host/m);
  });

  it("refers a cross-file reference (a shared service's issuer the cluster lacks) to the shared entry", () => {
    const dir = copyProject();
    editYaml(
      path.join(dir, "Pulumi.prod-us.yaml"),
      (doc) => (doc.config["mesh-egress:issuers"][0].name = "us-clients"),
    );
    const error = configErrorOf(() => loadStackFile(path.join(dir, "Pulumi.prod-us.yaml")));
    const issue = error.issues.find((i) => i.path.endsWith("clientCertificate.issuer"));
    assert.equal(issue?.path, "registries/prod.yaml: services[3].tls.clientCertificate.issuer");
    assert.match(issue.message, /unknown issuer "partner-clients"; declared issuers: us-clients/);
  });

  it("adds a cluster's own services after the shared ones, its errors at the stack file's own index", () => {
    const dir = copyProject();
    editYaml(path.join(dir, "Pulumi.prod-us.yaml"), (doc) => {
      doc.config["mesh-egress:services"] = [
        { name: "irs-efile", hosts: ["efile.irs.example.gov"], mode: "passthrough-mtls" },
        { name: "bad", hosts: ["10.0.0.1"], mode: "passthrough" },
      ];
    });
    const error = configErrorOf(() => loadStackFile(path.join(dir, "Pulumi.prod-us.yaml")));
    assert.deepEqual(
      error.issues.map((i) => i.path),
      ["services[1].hosts[0]"],
    );
    editYaml(path.join(dir, "Pulumi.prod-us.yaml"), (doc) => doc.config["mesh-egress:services"].pop());
    const config = loadStackFile(path.join(dir, "Pulumi.prod-us.yaml"));
    assert.deepEqual(config.services.map((s) => s.name).slice(-2), ["legacy-fx-rates", "irs-efile"]);
  });

  it("refuses a stack that redeclares a shared service, naming both places", () => {
    const dir = copyProject();
    editYaml(path.join(dir, "Pulumi.prod-eu.yaml"), (doc) => {
      doc.config["mesh-egress:services"] = [{ name: "openai", hosts: ["api.openai.com"], mode: "originate" }];
    });
    const error = configErrorOf(() => loadStackFile(path.join(dir, "Pulumi.prod-eu.yaml")));
    assert.deepEqual(error.issues, [
      {
        path: "services[0].name",
        message:
          '"openai" is already declared in the shared registry registries/prod.yaml (services[2]): change it there, or give this cluster\'s own entry another name',
      },
    ]);
  });

  it("refuses per-cluster keys in the registry file and an unreadable registry file", () => {
    const dir = copyProject();
    editYaml(path.join(dir, "registries", "prod.yaml"), (doc) => (doc.gateway = { replicas: { min: 3 } }));
    const unknownKey = configErrorOf(() => loadStackFile(path.join(dir, "Pulumi.prod-eu.yaml")));
    assert.equal(unknownKey.source, "registries/prod.yaml");
    assert.deepEqual(
      unknownKey.issues.map((i) => i.path),
      ["gateway"],
    );
    fs.rmSync(path.join(dir, "registries", "prod.yaml"));
    const missing = configErrorOf(() => loadStackFile(path.join(dir, "Pulumi.prod-eu.yaml")));
    assert.deepEqual(
      missing.issues.map((i) => i.path),
      ["registry"],
    );
    assert.match(missing.issues[0].message, /cannot read registry file registries\/prod\.yaml/);
  });
});
