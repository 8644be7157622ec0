import { strict as assert } from "assert";
import {
  admissionGuardrailSettings,
  buildAdmissionGuardrailManifests,
} from "../../components/admission-guardrails";
import { buildPlatformManifests } from "../../components/platform-manifests";
import { REQUIRED_GUARDRAILS } from "../../policy/contract";
import { ConfigError } from "../../stacks/model/config-error";
import { parseEgressConfig } from "../../stacks/load-config";
import { projectStack } from "../support/stacks";

const stack = (extra: Record<string, unknown> = {}, environment = "prod") => ({
  environment,
  services: [{ name: "stripe", hosts: ["api.stripe.com"], mode: "passthrough-mtls" }],
  tenants: [{ namespace: "payments", allow: ["stripe"] }],
  // Prod requires a limit for every tenant.
  rateLimits: { tenants: { payments: { tls: { connections: 20, per: "second", maxConcurrent: 200 } } } },
  ...extra,
});

const bindings = (objects: ReturnType<typeof buildAdmissionGuardrailManifests>) =>
  objects.filter((o) => o.kind === "ValidatingAdmissionPolicyBinding");

describe("admission guardrails (pure builder)", () => {
  it("builds one policy and one binding per guardrail the policy pack requires, binding each to its policy", () => {
    const objects = buildAdmissionGuardrailManifests(admissionGuardrailSettings(projectStack("prod")));
    const policyNames = objects
      .filter((o) => o.kind === "ValidatingAdmissionPolicy")
      .map((o) => o.metadata.name);
    assert.deepEqual(
      policyNames,
      REQUIRED_GUARDRAILS.map((g) => `mesh-egress-${g}`),
    );
    assert.deepEqual(
      bindings(objects).map((b) => b.spec!.policyName),
      policyNames,
    );
  });

  it("lets tenant NetworkPolicies name the cluster's own ranges (cluster.internalCidrs) as internal", () => {
    const ipBlockRule = (extra: Record<string, unknown>) => {
      const policy = buildAdmissionGuardrailManifests(
        admissionGuardrailSettings(parseEgressConfig(stack(extra), "t")),
      ).find((o) => o.metadata.name === "mesh-egress-network-policy-internal-egress")!;
      // The validation that bounds ipBlocks to internal ranges, wherever it sits in the list.
      const validations = (policy.spec as any).validations as { expression: string; message: string }[];
      return validations.find((v) => v.message.includes("reaches beyond the ranges a tenant may open"))!
        .expression;
    };
    assert.ok(
      ipBlockRule({ cluster: { internalCidrs: ["2600:1f14:abc::/56"] } }).includes('"2600:1f14:abc::/56"'),
    );
    assert.ok(!ipBlockRule({}).includes("2600:"));
  });

  it("binds with Deny in prod and with Warn + Audit in dev, by tier baseline", () => {
    const actions = (environment: string) =>
      bindings(
        buildAdmissionGuardrailManifests(
          admissionGuardrailSettings(parseEgressConfig(stack({}, environment), "t")),
        ),
      ).map((b) => b.spec!.validationActions);
    assert.ok(actions("prod").every((a) => JSON.stringify(a) === '["Deny"]'));
    assert.ok(actions("dev").every((a) => JSON.stringify(a) === '["Warn","Audit"]'));
  });

  it("bounds a break-glass NetworkPolicy's lifetime by the stack's break-glass maximum: the tier's, or lower", () => {
    const maxima = (extra: Record<string, unknown>, environment: string) =>
      buildAdmissionGuardrailManifests(
        admissionGuardrailSettings(parseEgressConfig(stack(extra, environment), "t")),
      )
        .filter((o) => o.metadata.name === "mesh-egress-network-policy-internal-egress")
        .flatMap((o) => (o.spec!.variables as { name: string; expression: string }[]) ?? [])
        .filter((v) => v.name === "breakGlassValid")
        .map((v) => /duration\("(\d+h)"\)/.exec(v.expression)?.[1]);
    assert.deepEqual(maxima({}, "prod"), ["24h"]);
    assert.deepEqual(maxima({}, "dev"), ["168h"]);
    assert.deepEqual(maxima({ breakGlassMaxHours: 4 }, "prod"), ["4h"]);
  });

  it("requires a break-glass NetworkPolicy to except the cluster's own ranges too, as its render does", () => {
    const config = parseEgressConfig(stack({ cluster: { internalCidrs: ["2600:1f18::/32"] } }), "t");
    const policy = buildAdmissionGuardrailManifests(admissionGuardrailSettings(config)).find(
      (o) => o.metadata.name === "mesh-egress-network-policy-internal-egress",
    )!;
    const bounds = (policy.spec!.validations as { expression: string; message: string }[]).find((v) =>
      v.message.includes("opens public space only on its services' TCP ports"),
    )!;
    assert.match(bounds.expression, /"2600:1f18::\/32"/);
  });

  it("lets a stack override the tier's validationActions", () => {
    const config = parseEgressConfig(
      stack({ guardrails: { validationActions: ["Deny", "Audit"] } }, "dev"),
      "t",
    );
    const objects = buildAdmissionGuardrailManifests(admissionGuardrailSettings(config));
    assert.deepEqual(bindings(objects)[0].spec!.validationActions, ["Deny", "Audit"]);
  });

  it("selects tenants by the tenant label, and exempts the gateway (and where needed the control plane) namespace", () => {
    const config = parseEgressConfig(
      stack({ gateway: { namespace: "edge-out" }, controlPlane: { namespace: "mesh-system" } }),
      "t",
    );
    const selectors = Object.fromEntries(
      bindings(buildAdmissionGuardrailManifests(admissionGuardrailSettings(config))).map((b) => [
        b.metadata.name,
        (b.spec!.matchResources as any).namespaceSelector.matchExpressions ?? [],
      ]),
    );
    assert.deepEqual(selectors["mesh-egress-network-policy-internal-egress"], [
      { key: "mesh-egress.io/tenant", operator: "Exists" },
    ]);
    assert.deepEqual(selectors["mesh-egress-gateway-selector"], [
      { key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["edge-out"] },
    ]);
    assert.deepEqual(selectors["mesh-egress-service-entry-registry"], [
      { key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["edge-out", "mesh-system"] },
      { key: "mesh-egress.io/tenant", operator: "DoesNotExist" },
    ]);
    // Namespaces are picked by the policy's matchConditions, on their old labels as well as their new ones.
    assert.deepEqual(selectors["mesh-egress-tenant-namespace"], []);
  });

  it("writes the gateway's namespace, Service host and pod labels into the rules it checks", () => {
    const config = parseEgressConfig(
      stack({ gateway: { namespace: "edge-out", releaseName: "corp-egress" } }),
      "t",
    );
    const text = JSON.stringify(buildAdmissionGuardrailManifests(admissionGuardrailSettings(config)));
    assert.match(text, /corp-egress\.edge-out\.svc\.cluster\.local/);
    assert.match(text, /\\"app\\":\\"corp-egress\\"/);
    assert.match(text, /\\"istio\\":\\"egressgateway\\"/);
    assert.doesNotMatch(text, /istio-egress/);
  });

  it("renders no guardrails when the stack turns them off", () => {
    const config = parseEgressConfig(stack({ guardrails: { enabled: false } }), "t");
    assert.equal(buildPlatformManifests(config).guardrails, undefined);
    assert.ok(buildPlatformManifests(projectStack("prod")).guardrails!.length > 0);
  });

  it("refuses Deny together with Warn, naming the path and the fix", () => {
    assert.throws(
      () => parseEgressConfig(stack({ guardrails: { validationActions: ["Deny", "Warn"] } }), "t"),
      (err: ConfigError) =>
        /guardrails\.validationActions: Deny and Warn cannot be combined .*use \[Deny\] or \[Warn, Audit\]/.test(
          err.message,
        ),
    );
  });

  it("refuses an unknown validation action, naming the path", () => {
    assert.throws(
      () => parseEgressConfig(stack({ guardrails: { validationActions: ["Block"] } }), "t"),
      /guardrails\.validationActions\[0\]: must be one of Deny, Warn, Audit/,
    );
  });
});
