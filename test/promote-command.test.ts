import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PromotionSelection } from "../cli/promotion";
import { runPromote } from "../cli/promote-command";
import { loadStackFile } from "../stacks/load-config";
import { runCli } from "./support/run-cli";
import { PROJECT_DIR } from "./support/stacks";

const STACK_FILES = ["Pulumi.dev.yaml", "Pulumi.prod.yaml", "Pulumi.prod-eu.yaml", "Pulumi.prod-us.yaml"];

/** A new dev destination, exercised in dev and ready for prod; its comment must travel with it. */
const EXCHANGE_RATES = `    # Exchange rates for the pricing page; the gateway originates TLS so every call is logged.
    - name: exchange-rates
      description: Public FX reference rates.
      hosts: [api.exchangerates.example.com]
      mode: originate
`;

/** A temporary copy of the project's stack files and registry, with `extraDevServices` added to dev. */
function copyStacks(
  extraDevServices = EXCHANGE_RATES,
  storefrontAllow = "[identity, exchange-rates]",
): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-promote-"));
  for (const file of STACK_FILES) fs.copyFileSync(path.join(PROJECT_DIR, file), path.join(dir, file));
  fs.mkdirSync(path.join(dir, "registries"));
  fs.copyFileSync(
    path.join(PROJECT_DIR, "registries", "prod.yaml"),
    path.join(dir, "registries", "prod.yaml"),
  );
  const devFile = path.join(dir, "Pulumi.dev.yaml");
  const dev = fs.readFileSync(devFile, "utf8");
  const withService = dev.replace("  mesh-egress:tenants:\n", `${extraDevServices}  mesh-egress:tenants:\n`);
  const withGrant = withService.replace(
    /(- namespace: storefront\n\s+description: Public web shop.\n\s+allow: )\[identity\]/,
    `$1${storefrontAllow}`,
  );
  assert.notEqual(withGrant, dev, "the dev copy gained the new service");
  fs.writeFileSync(devFile, withGrant);
  return dir;
}

interface Run {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

function promote(dir: string, to: string[], selection: Partial<PromotionSelection>, dryRun = false): Run {
  let stdout = "";
  let stderr = "";
  const status = runPromote(
    {
      from: "dev",
      to,
      selection: { services: [], tenants: [], all: false, ...selection },
      dryRun,
      dir,
    },
    { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } },
  );
  return { status, stdout, stderr };
}

/** Every file in the copy, by name, so a test can assert that nothing was written. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const file of [...STACK_FILES, path.join("registries", "prod.yaml")]) {
    files[file] = fs.readFileSync(path.join(dir, file), "utf8");
  }
  return files;
}

const read = (dir: string, file: string) => fs.readFileSync(path.join(dir, file), "utf8");

/** The comment lines of a file, in order. */
const comments = (text: string) => text.split("\n").filter((line) => line.trim().startsWith("#"));

describe("mesh-egress promote", () => {
  it("moves a dev service and the grant to it into prod, keeping every comment and line of prod", () => {
    const dir = copyStacks();
    const before = read(dir, "Pulumi.prod.yaml");
    const run = promote(dir, ["prod"], { services: ["exchange-rates"] });
    assert.equal(run.status, 0, run.stderr);
    const after = read(dir, "Pulumi.prod.yaml");
    // Every original line is still there, in order: promotion only added lines (and one allow list).
    const kept = after.split("\n").filter((line) => before.split("\n").includes(line));
    assert.ok(kept.length >= before.split("\n").length - 1, "at most the storefront allow line changed");
    const promotedComment =
      "    # Exchange rates for the pricing page; the gateway originates TLS so every call is logged.";
    assert.ok(comments(after).includes(promotedComment), "the service's comment came along");
    assert.deepEqual(
      comments(after).filter((line) => line !== promotedComment),
      comments(before),
    );
    const prod = loadStackFile(path.join(dir, "Pulumi.prod.yaml"));
    assert.deepEqual(prod.services.at(-1), {
      name: "exchange-rates",
      description: "Public FX reference rates.",
      hosts: ["api.exchangerates.example.com"],
      port: 443,
      mode: "originate",
    });
    assert.deepEqual(prod.tenants.find((t) => t.namespace === "storefront")?.allow, [
      "identity",
      "exchange-rates",
    ]);
    assert.equal(prod.gateway.replicas.min, 3, "prod keeps its own tier settings");
    assert.match(run.stdout, /^\+ {6}allow: \[identity, exchange-rates\]$/m);
    assert.match(
      run.stdout,
      /new destinations:\n {4}exchange-rates: api\.exchangerates\.example\.com:443 \(originate\)/,
    );
    assert.match(run.stdout, /new grants:\n {4}storefront → exchange-rates/);
    assert.match(run.stdout, /prod: valid as prod; \d+ objects rendered; 0 mandatory/);
  });

  it("never shows or writes the source file, even when its formatting is not the YAML library's", () => {
    const dir = copyStacks(EXCHANGE_RATES, "[ identity, exchange-rates ]");
    const source = read(dir, "Pulumi.dev.yaml");
    const run = promote(dir, ["prod"], { services: ["exchange-rates"] });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(read(dir, "Pulumi.dev.yaml"), source);
    assert.doesNotMatch(run.stdout, /Pulumi\.dev\.yaml/);
    assert.match(
      run.stdout,
      /^\+ {6}allow: \[identity, exchange-rates\]$/m,
      "the target's edit is still shown",
    );
  });

  it("keeps the target's own formatting on the lines it does not edit", () => {
    const dir = copyStacks();
    const prodFile = path.join(dir, "Pulumi.prod.yaml");
    const padded = read(dir, "Pulumi.prod.yaml")
      .replace("hosts: [api.stripe.com, files.stripe.com]", "hosts: [ api.stripe.com, files.stripe.com ]")
      .replace("allow: [stripe, identity]", "allow: [ stripe, identity ]");
    fs.writeFileSync(prodFile, padded);
    const run = promote(dir, ["prod"], { services: ["exchange-rates"] });
    assert.equal(run.status, 0, run.stderr);
    const after = read(dir, "Pulumi.prod.yaml");
    assert.ok(
      after.includes("hosts: [ api.stripe.com, files.stripe.com ]"),
      "the stripe hosts line was re-formatted",
    );
    assert.ok(after.includes("allow: [ stripe, identity ]"), "payments' allow line was re-formatted");
    const removed = run.stdout.split("\n").filter((l) => l.startsWith("-") && !l.startsWith("---"));
    assert.deepEqual(removed, ["-      allow: [identity]"], "only the edited allow line leaves");
  });

  it("is a no-op when re-run on an unchanged source", () => {
    const dir = copyStacks();
    assert.equal(promote(dir, ["prod"], { services: ["exchange-rates"] }).status, 0);
    const once = snapshot(dir);
    const again = promote(dir, ["prod"], { services: ["exchange-rates"] });
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /^Nothing to promote/);
    assert.deepEqual(snapshot(dir), once);
  });

  it("refuses to promote dev's plain passthrough service into prod, naming passthrough-mtls, and writes nothing", () => {
    const dir = copyStacks();
    const before = snapshot(dir);
    const run = promote(dir, ["prod"], { services: ["identity"], tenants: ["payments"] });
    assert.equal(run.status, 1);
    assert.match(
      run.stderr,
      /services\[1\]\.mode: passthrough cannot be scoped to tenants in prod.*passthrough-mtls/,
    );
    assert.deepEqual(snapshot(dir), before);
  });

  it("updates a service prod already has leaf by leaf, leaving its other lines and comments alone", () => {
    const dir = copyStacks();
    // Dev keeps plain passthrough for identity; prod refuses it, so the promoted entry uses passthrough-mtls.
    const devFile = path.join(dir, "Pulumi.dev.yaml");
    const dev = fs.readFileSync(devFile, "utf8");
    const devMtls = dev.replace(
      "hosts: [acme-dev.eu.auth0.com]\n      mode: passthrough\n",
      "hosts: [acme-dev.eu.auth0.com]\n      mode: passthrough-mtls\n",
    );
    assert.notEqual(devMtls, dev, "the dev copy's identity service is passthrough-mtls");
    fs.writeFileSync(devFile, devMtls);
    const before = read(dir, "Pulumi.prod.yaml");
    const run = promote(dir, ["prod"], { services: ["identity"], tenants: ["payments"] });
    assert.equal(run.status, 0, run.stderr);
    const removed = before
      .split("\n")
      .filter((line) => !read(dir, "Pulumi.prod.yaml").split("\n").includes(line));
    assert.deepEqual(removed, [
      "      description: Customer identity provider (Auth0 production tenant).",
      "      hosts: [acme.eu.auth0.com]",
    ]);
    assert.match(run.stdout, /changed destinations:\n {4}identity: description, hosts/);
  });

  it("with --dry-run prints the diff and the summary and writes nothing", () => {
    const dir = copyStacks();
    const before = snapshot(dir);
    const run = promote(dir, ["prod"], { services: ["exchange-rates"] }, true);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^--- a\/Pulumi\.prod\.yaml$/m);
    assert.match(run.stdout, /Dry run: nothing written\./);
    assert.deepEqual(snapshot(dir), before);
  });

  it("refuses to create a tenant in prod that has no rate limit there, naming the fix and writing nothing", () => {
    const dir = copyStacks(
      EXCHANGE_RATES.replace(/exchange-rates/g, "pricing-feed").replace("exchangerates", "pricing"),
      "[identity]\n    - namespace: pricing\n      description: Pricing page.\n      allow: [pricing-feed]",
    );
    const before = snapshot(dir);
    // Prod requires a limit for every tenant, and promotion never copies the target's tier settings.
    const run = promote(dir, ["prod"], { tenants: ["pricing"] });
    assert.equal(run.status, 1, run.stdout);
    assert.match(run.stderr, /prod: rateLimits\.tenants\.pricing: prod requires a limit for every tenant/);
    assert.deepEqual(snapshot(dir), before);
  });

  it("targets several cluster stacks through their shared registry, editing it once and checking each", () => {
    const dir = copyStacks();
    const stacksBefore = ["Pulumi.prod-eu.yaml", "Pulumi.prod-us.yaml"].map((f) => read(dir, f));
    const run = promote(dir, ["prod-eu", "prod-us"], { services: ["exchange-rates"] });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(
      ["Pulumi.prod-eu.yaml", "Pulumi.prod-us.yaml"].map((f) => read(dir, f)),
      stacksBefore,
      "the cluster files keep only their own settings",
    );
    assert.equal(run.stdout.match(/^--- a\//gm)?.length, 1, "one file changed: the registry");
    assert.match(run.stdout, /^--- a\/registries\/prod\.yaml$/m);
    assert.match(run.stdout, /prod-eu: valid as prod/);
    assert.match(run.stdout, /prod-us: valid as prod/);
    for (const stack of ["prod-eu", "prod-us"]) {
      const config = loadStackFile(path.join(dir, `Pulumi.${stack}.yaml`));
      assert.ok(
        config.services.some((s) => s.name === "exchange-rates"),
        stack,
      );
    }
  });

  it("checks a cluster stack sharing the edited registry even when it was not named", () => {
    const dir = copyStacks();
    const run = promote(dir, ["prod-eu"], { services: ["exchange-rates"] }, true);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /prod-us: valid as prod/);
    assert.match(run.stdout, /Also affected through a shared registry file: prod-us/);
  });

  describe("refusals, each writing nothing", () => {
    it("refuses a service the source does not declare, exiting 2", () => {
      const dir = copyStacks();
      const before = snapshot(dir);
      const run = promote(dir, ["prod"], { services: ["exchange-ratez"] });
      assert.equal(run.status, 2);
      assert.match(
        run.stderr,
        /--service exchange-ratez: service "exchange-ratez" is not declared in dev; declared services: stripe,/,
      );
      assert.equal(run.stdout, "");
      assert.deepEqual(snapshot(dir), before);
    });

    it("refuses a secure value and names the pulumi config set --secret --path command for the target, exiting 2", () => {
      const dir = copyStacks(
        EXCHANGE_RATES.replace(
          "      mode: originate\n",
          "      mode: originate\n      tls:\n        caBundle:\n          pem:\n            secure: v1:abc123\n",
        ),
      );
      const before = snapshot(dir);
      const run = promote(dir, ["prod"], { services: ["exchange-rates"] });
      assert.equal(run.status, 2);
      assert.match(run.stderr, /Pulumi\.dev\.yaml: services\[5\]\.tls\.caBundle\.pem/);
      assert.match(
        run.stderr,
        /pulumi config set --secret --path 'mesh-egress:services\[5\]\.tls\.caBundle\.pem' <value> --stack prod/,
      );
      assert.deepEqual(snapshot(dir), before);
    });

    it("refuses what prod's validation refuses (a dev self-signed issuer's client certificate), with the path and the fix, exiting 1", () => {
      const dir = copyStacks();
      const before = snapshot(dir);
      const run = promote(dir, ["prod"], { services: ["clearing-partner"] });
      assert.equal(run.status, 1);
      assert.match(
        run.stderr,
        /prod: services\[3\]\.tls\.clientCertificate\.issuer: unknown issuer "egress-dev-ca"; declared issuers: partner-clients \(declare it under mesh-egress:issuers\)/,
      );
      assert.deepEqual(snapshot(dir), before);
    });

    it("refuses a promotion that would break a mandatory prod rule (a 180-day client certificate), exiting 1", () => {
      const dir = copyStacks(
        `    - name: ledger
      hosts: [api.ledger.example.com]
      mode: originate-mutual
      tls:
        credentialName: ledger-client
        clientCertificate:
          issuer: partner-clients
          commonName: acme-ledger
          duration: 4320h
          renewBefore: 360h
        caBundle:
          secretRef: {name: ledger-client-cacert}
`,
        "[identity, ledger]",
      );
      const before = snapshot(dir);
      const run = promote(dir, ["prod"], { services: ["ledger"] });
      assert.equal(run.status, 1, run.stdout + run.stderr);
      assert.match(
        run.stderr,
        /prod: client-certificate-max-lifetime: Certificate istio-egress\/ledger-client/,
      );
      assert.deepEqual(snapshot(dir), before);
    });
  });

  it("runs as the mesh-egress command, exiting 2 without --from", async () => {
    const result = await runCli(["promote", "--to", "prod", "--all"]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /required option '--from <stack>'/);
  });
});
