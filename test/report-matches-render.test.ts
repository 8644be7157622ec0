import { strict as assert } from "assert";
import { parseAllDocuments } from "yaml";
import type { EgressReport } from "../cli/egress-report";
import { runCli } from "./support/run-cli";

/** Every stack the project ships, judged at one instant so break-glass entries read the same in both. */
const SHIPPED_STACKS = ["dev", "prod", "prod-eu", "prod-us"] as const;
const NOW = "2026-11-29T12:00:00Z";

interface RenderedObject {
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly annotations?: Record<string, string>;
  };
  readonly spec?: Record<string, any>;
}

async function reportAndRender(stack: string): Promise<{ report: EgressReport; objects: RenderedObject[] }> {
  const report = await runCli(["report", "--stack", stack, "--now", NOW, "--format", "json"]);
  assert.equal(report.status, 0, report.stderr);
  const render = await runCli(["render", "--stack", stack, "--now", NOW]);
  assert.equal(render.status, 0, render.stderr);
  const objects = parseAllDocuments(render.stdout)
    .map((d) => d.toJS() as RenderedObject)
    .filter((o) => o?.kind);
  return { report: JSON.parse(report.stdout) as EgressReport, objects };
}

const of = (objects: readonly RenderedObject[], kind: string) => objects.filter((o) => o.kind === kind);

describe("report columns against the render of every shipped stack", () => {
  for (const stack of SHIPPED_STACKS) {
    describe(`stack ${stack}`, () => {
      let report: EgressReport;
      let objects: RenderedObject[];
      before(async function () {
        this.timeout(60_000);
        ({ report, objects } = await reportAndRender(stack));
      });

      it("names for every grant a rate limit line that a rendered EnvoyFilter carries", () => {
        const rendered = of(objects, "EnvoyFilter").flatMap((f) =>
          (f.metadata.annotations?.["mesh-egress.io/fleet-limits"] ?? "").split("\n"),
        );
        assert.ok(report.grants.length > 0);
        for (const grant of report.grants) {
          assert.ok(
            rendered.includes(grant.rateLimit),
            `${grant.tenant} → ${grant.host}: "${grant.rateLimit}" is in no rendered EnvoyFilter`,
          );
          // An HTTP grant is bounded per tenant (or the backstop), a passthrough-mtls grant by the tenant's own
          // chains, a plain passthrough grant per service (the gateway cannot tell its callers apart).
          const subject = grant.mode.startsWith("originate")
            ? /^(tenant |backstop)/
            : grant.mode === "passthrough-mtls"
              ? new RegExp(`^tenant ${grant.tenant} → service ${grant.service} `)
              : new RegExp(`^service ${grant.service} `);
          assert.match(grant.rateLimit, subject, `${grant.tenant} → ${grant.host}`);
        }
      });

      it("gives every grant's host and port as a rendered ServiceEntry registers them", () => {
        for (const grant of report.grants) {
          const entry = of(objects, "ServiceEntry").find(
            (e) =>
              (e.spec?.hosts as string[]).includes(grant.host) &&
              (e.spec?.ports as { number: number }[]).some((p) => p.number === grant.port),
          );
          assert.ok(entry, `no ServiceEntry registers ${grant.host}:${grant.port}`);
        }
      });

      it("says the gateway verifies TLS exactly where a rendered DestinationRule originates it", () => {
        for (const grant of report.grants) {
          const originating = of(objects, "DestinationRule").filter((d) =>
            JSON.stringify(d.spec).match(
              new RegExp(
                `"mode":"(SIMPLE|MUTUAL)"[^}]*"sni":"${grant.host.replace(/\./g, "\\.")}"|"host":"${grant.host.replace(/\./g, "\\.")}"[^]*"mode":"(SIMPLE|MUTUAL)"`,
              ),
            ),
          );
          const verifies = grant.tlsVerification.startsWith("gateway ");
          assert.equal(
            originating.length > 0,
            verifies,
            `${grant.tenant} → ${grant.host}: ${grant.tlsVerification}`,
          );
        }
      });

      it("names a caller identity only where a rendered gateway AuthorizationPolicy checks the tenant's", () => {
        for (const grant of report.grants) {
          const checks = of(objects, "AuthorizationPolicy").some((p) => {
            const text = JSON.stringify(p.spec);
            return (
              text.includes(grant.host) &&
              (text.includes(`/ns/${grant.tenant}/`) || text.includes(`"${grant.tenant}"`))
            );
          });
          assert.equal(
            checks,
            !grant.identityAtGateway.startsWith("none"),
            `${grant.tenant} → ${grant.host}: ${grant.identityAtGateway}`,
          );
        }
      });

      it("claims no missing rate limits when the render carries them", () => {
        const rendersLimits = of(objects, "EnvoyFilter").some(
          (f) => f.metadata.annotations?.["mesh-egress.io/fleet-limits"],
        );
        assert.equal(
          report.limits.some((l) => l.startsWith("No rate limits are declared")),
          !rendersLimits,
        );
      });
    });
  }
});
