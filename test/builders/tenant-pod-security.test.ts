import { strict as assert } from "assert";
import {
  admissionGuardrailSettings,
  buildAdmissionGuardrailManifests,
} from "../../components/admission-guardrails";
import { buildControlPlaneManifests } from "../../components/control-plane";
import { buildTenantManifests } from "../../components/tenant";
import { buildEgressReport } from "../../cli/egress-report";
import { ConfigError } from "../../stacks/model/config-error";
import { configFrom, fourModeValues } from "../support/config-fixtures";
import { projectStack } from "../support/stacks";

const withStack = (change: (values: Record<string, any>) => void) => {
  const values = fourModeValues();
  change(values);
  return configFrom(values);
};
const namespaceLabels = (config: ReturnType<typeof configFrom>, tenant = "payments") =>
  buildTenantManifests(
    config.tenants.find((t) => t.namespace === tenant)!,
    config,
  ).namespace.metadata.labels;

describe("Pod Security and Istio CNI", () => {
  it("labels tenant namespaces pod-security.kubernetes.io/enforce: baseline when the mesh runs Istio CNI", () => {
    const config = withStack((v) => (v.controlPlane = { install: true, cni: true }));
    assert.equal(namespaceLabels(config)?.["pod-security.kubernetes.io/enforce"], "baseline");
  });

  it("raises a tenant to restricted when its stack says so", () => {
    const config = withStack((v) => {
      v.controlPlane = { install: true, cni: true };
      v.tenants[0].podSecurity = "restricted";
    });
    assert.equal(
      namespaceLabels(config, config.tenants[0]!.namespace)?.["pod-security.kubernetes.io/enforce"],
      "restricted",
    );
  });

  it("leaves Pod Security off without Istio CNI, where baseline would refuse the injected istio-init", () => {
    const labels = namespaceLabels(withStack(() => undefined)) ?? {};
    assert.ok(!Object.keys(labels).some((k) => k.startsWith("pod-security.kubernetes.io/")));
  });

  it("installs the istio/cni chart and turns istiod's CNI mode on when the stack installs the control plane with CNI", () => {
    const charts = buildControlPlaneManifests(
      withStack((v) => (v.controlPlane = { install: true, cni: true })),
    ).charts;
    assert.deepEqual(
      charts.map((c) => c.chart),
      ["base", "cni", "istiod"],
    );
    assert.deepEqual(charts[2]!.values.cni, { enabled: true });
    const without = buildControlPlaneManifests(withStack((v) => (v.controlPlane = { install: true }))).charts;
    assert.deepEqual(
      without.map((c) => c.chart),
      ["base", "istiod"],
    );
  });

  it("admits NET_ADMIN and NET_RAW for the injected istio-init only without Istio CNI", () => {
    const capabilityRule = (cni: boolean) => {
      const config = withStack((v) => (v.controlPlane = { install: true, cni }));
      const policy = buildAdmissionGuardrailManifests(admissionGuardrailSettings(config)).find(
        (o) => o.metadata.name === "mesh-egress-tenant-pod-security",
      )!;
      return ((policy.spec as any).validations as { expression: string }[]).find((v) =>
        v.expression.includes("capabilities.add"),
      )!.expression;
    };
    assert.match(
      capabilityRule(false),
      /c\.name in \["istio-init"\] && has\(c\.image\) && c\.image == "docker\.io\/istio\/proxyv2:1\.30\.3"/,
    );
    assert.doesNotMatch(capabilityRule(true), /istio-init/);
  });

  it("reports Istio CNI as prod's prerequisite, and dev's as installed", () => {
    assert.ok(
      buildEgressReport(projectStack("prod"), "prod").limits.some((l) =>
        l.startsWith("Prerequisite: Istio CNI"),
      ),
    );
    assert.ok(
      buildEgressReport(projectStack("dev"), "dev").limits.some((l) =>
        l.startsWith("Istio CNI is installed"),
      ),
    );
  });

  it("refuses a tenant podSecurity other than baseline or restricted, naming the field and the fix", () => {
    assert.throws(
      () => withStack((v) => (v.tenants[0].podSecurity = "privileged")),
      (err: ConfigError) =>
        /tenants\[0\]\.podSecurity: must be baseline or restricted \(privileged would let pods leave the mesh\): remove it for baseline/.test(
          err.message,
        ),
    );
  });

  it("refuses a proxy image that is not an image reference, naming the field and an example", () => {
    assert.throws(
      () => withStack((v) => (v.controlPlane = { install: true, proxyImage: "Proxy V2" })),
      /controlPlane\.proxyImage: must be an image reference such as docker\.io\/istio\/proxyv2:1\.30\.3/,
    );
  });

  it("refuses an empty platform identity, naming the field and the fix", () => {
    assert.throws(
      () => withStack((v) => (v.guardrails = { platformIdentities: [" "] })),
      /guardrails\.platformIdentities\[0\]: must not be empty: name a user, service account or group/,
    );
  });
});
