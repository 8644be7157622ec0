import * as assert from "node:assert/strict";
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { policies, resourcePolicy } from "../policies";
import { allRules } from "../engine/catalog";
import { KubernetesObject } from "../contract";
import { ResourceRule } from "../engine/rule";
import { compliantPlatform, find, GATEWAY_NS } from "./compliant-platform";
import {
  asEngineResource,
  EngineResource,
  runResourcePolicy,
  runStackPolicy,
  UNKNOWN,
  urnOf,
} from "./crossguard-harness";

const policyNamed = (name: string) => {
  const p = policies.find((x) => x.name === name);
  if (!p) throw new Error(`no policy ${name}`);
  return p;
};
const resourcePolicyNamed = (name: string) => policyNamed(name) as ResourceValidationPolicy;
const stackPolicyNamed = (name: string) => policyNamed(name) as StackValidationPolicy;
const isStackPolicy = (p: unknown): p is StackValidationPolicy =>
  typeof (p as StackValidationPolicy).validateStack === "function";

const stackOf = (objects: KubernetesObject[]): EngineResource[] => objects.map(asEngineResource);

/** The gateway as `pulumi preview` sees helm.v4.Chart: the Chart component and its rendered children. */
function previewWithHelmChart(serviceType: string): EngineResource[] {
  const podLabels = { app: "istio-egressgateway", istio: "egressgateway" };
  const platform = compliantPlatform().filter((o) => o.kind !== "HelmRelease" && o.kind !== "HelmRepository");
  return [
    ...stackOf(platform),
    {
      type: "kubernetes:helm.sh/v4:Chart",
      name: "egress-gateway-chart",
      props: {
        chart: "gateway",
        name: "istio-egressgateway",
        namespace: GATEWAY_NS,
        version: "1.30.3",
        repositoryOpts: { repo: "https://istio-release.storage.googleapis.com/charts" },
        values: { service: { type: serviceType }, labels: { istio: "egressgateway" } },
      },
    },
    ...stackOf([
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "istio-egressgateway", namespace: GATEWAY_NS },
        spec: {
          template: {
            metadata: { labels: podLabels },
            spec: { topologySpreadConstraints: [{ topologyKey: "topology.kubernetes.io/zone", maxSkew: 1 }] },
          },
        },
      },
      {
        apiVersion: "autoscaling/v2",
        kind: "HorizontalPodAutoscaler",
        metadata: { name: "istio-egressgateway", namespace: GATEWAY_NS },
        spec: {
          scaleTargetRef: { kind: "Deployment", name: "istio-egressgateway" },
          minReplicas: 1,
          maxReplicas: 5,
        },
      },
    ]),
  ];
}

describe("the CrossGuard policies", () => {
  it("wrap every rule exactly once, resource rules as resource policies and stack rules as stack policies", () => {
    assert.deepEqual(
      policies.map((p) => p.name),
      allRules.map((r) => r.name),
    );
    for (const rule of allRules) {
      const policy = policyNamed(rule.name);
      assert.equal(isStackPolicy(policy), rule.scope === "stack", rule.name);
      assert.equal(policy.enforcementLevel, rule.defaultEnforcement, rule.name);
      assert.equal(policy.severity, rule.severity);
      assert.equal(policy.description, rule.description);
      assert.equal(policy.remediationSteps, rule.remediation);
    }
  });

  it("find nothing in any object of the compliant platform, resource by resource", async () => {
    for (const policy of policies.filter((p) => !isStackPolicy(p)) as ResourceValidationPolicy[]) {
      for (const resource of stackOf(compliantPlatform())) {
        const outcome = await runResourcePolicy(policy, resource);
        assert.deepEqual(outcome.violations, [], `${policy.name} on ${resource.type} ${resource.name}`);
        assert.equal(outcome.advisory, undefined);
      }
    }
  });

  it("find nothing in the compliant platform as a stack, where it has no PeerAuthentication", async () => {
    const notApplicable: string[] = [];
    for (const policy of policies.filter(isStackPolicy)) {
      const outcome = await runStackPolicy(policy, stackOf(compliantPlatform()));
      assert.deepEqual(outcome.violations, [], policy.name);
      assert.equal(outcome.advisory, undefined, policy.name);
      if (outcome.notApplicable !== undefined) notApplicable.push(policy.name);
    }
    assert.deepEqual(notApplicable.sort(), [
      "cni-policy-no-internet-egress",
      "gateway-api-egress-in-platform",
      "peer-authentication-mtls-required",
      "service-not-external-alias",
      "tenant-workload-entries-in-cluster",
    ]);
  });

  it("report a wildcard ServiceEntry host through the resource policy", async () => {
    const objects = compliantPlatform();
    find(objects, "ServiceEntry", "egress-openai").spec.hosts = ["*.openai.com"];
    const outcome = await runResourcePolicy(
      resourcePolicyNamed("service-entry-host-not-wildcard-or-ip"),
      asEngineResource(find(objects, "ServiceEntry", "egress-openai")),
    );
    assert.equal(outcome.violations.length, 1);
    assert.match(
      outcome.violations[0]?.message ?? "",
      /ServiceEntry istio-egress\/egress-openai: host "\*\.openai\.com"/,
    );
  });

  it("mark a resource policy not applicable to other kinds, by type token", async () => {
    const outcome = await runResourcePolicy(
      resourcePolicyNamed("service-entry-export-scoped"),
      asEngineResource(find(compliantPlatform(), "Namespace", "payments")),
    );
    assert.equal(outcome.notApplicable, "applies to ServiceEntry only");
    assert.deepEqual(outcome.violations, []);
  });

  it("let the engine downgrade a resource policy that reads a value unknown at preview", async () => {
    const entry = asEngineResource(find(compliantPlatform(), "ServiceEntry", "egress-openai"));
    (entry.props.spec as Record<string, unknown>).exportTo = UNKNOWN.array;
    const outcome = await runResourcePolicy(resourcePolicyNamed("service-entry-export-scoped"), entry);
    assert.deepEqual(outcome.violations, []);
    assert.match(outcome.advisory ?? "", /Array value at \.spec\.exportTo can't be known during preview/);
  });

  it("still run a resource policy when the unknown value is in a field it does not read", async () => {
    const entry = asEngineResource(find(compliantPlatform(), "ServiceEntry", "egress-openai"));
    const spec = entry.props.spec as Record<string, unknown>;
    spec.hosts = ["api.openai.com", "10.0.0.7"];
    spec.endpoints = UNKNOWN.array;
    (entry.props.metadata as Record<string, unknown>).annotations = UNKNOWN.object;
    const outcome = await runResourcePolicy(
      resourcePolicyNamed("service-entry-host-not-wildcard-or-ip"),
      entry,
    );
    assert.equal(outcome.advisory, undefined);
    assert.equal(outcome.violations.length, 1);
    assert.match(outcome.violations[0]?.message ?? "", /"10\.0\.0\.7" is an IP address/);
  });

  it("name an object Pulumi auto-names after its resource", async () => {
    const entry = asEngineResource(find(compliantPlatform(), "ServiceEntry", "egress-openai"));
    delete (entry.props.metadata as Record<string, unknown>).name;
    (entry.props.spec as Record<string, unknown>).exportTo = ["*"];
    entry.name = "openai-entry";
    const outcome = await runResourcePolicy(resourcePolicyNamed("service-entry-export-scoped"), entry);
    assert.match(outcome.violations[0]?.message ?? "", /ServiceEntry istio-egress\/openai-entry:/);
  });

  it("report a stack violation against the URN of the object it names", async () => {
    const objects = compliantPlatform();
    find(objects, "AuthorizationPolicy", "tenant-ml", GATEWAY_NS).spec.rules.push({});
    const resources = stackOf(objects);
    const outcome = await runStackPolicy(stackPolicyNamed("gateway-authz-no-allow-all"), resources);
    const target = resources.find((r) => r.name === "istio-egress-tenant-ml-authorizationpolicy");
    assert.equal(outcome.violations.length, 1);
    assert.equal(outcome.violations[0]?.urn, urnOf(target!));
  });

  it("report a missing tenant Sidecar against the tenant's Namespace", async () => {
    const objects = compliantPlatform().filter(
      (o) => !(o.kind === "Sidecar" && o.metadata.namespace === "support"),
    );
    const outcome = await runStackPolicy(stackPolicyNamed("sidecar-registry-only"), stackOf(objects));
    assert.equal(outcome.violations.length, 1);
    assert.equal(
      outcome.violations[0]?.urn,
      "urn:pulumi:prod::mesh-egress::kubernetes:core/v1:Namespace::support-namespace",
    );
  });

  it("let the engine downgrade a stack policy that reads a value unknown at preview", async () => {
    const resources = stackOf(compliantPlatform());
    const sidecar = resources.find((r) => r.type.endsWith(":Sidecar"))!;
    (sidecar.props.spec as Record<string, unknown>).outboundTrafficPolicy = { mode: UNKNOWN.string };
    const outcome = await runStackPolicy(stackPolicyNamed("sidecar-registry-only"), resources);
    assert.match(
      outcome.advisory ?? "",
      /string value at \.spec\.outboundTrafficPolicy\.mode can't be known/,
    );
    const unaffected = await runStackPolicy(stackPolicyNamed("gateway-ha-min-replicas"), resources);
    assert.deepEqual(unaffected, { violations: [] });
  });

  it("mark a stack policy not applicable when the stack has none of its kinds", async () => {
    const outcome = await runStackPolicy(
      stackPolicyNamed("gateway-authz-no-allow-all"),
      stackOf(compliantPlatform().filter((o) => o.kind !== "AuthorizationPolicy")),
    );
    assert.equal(outcome.notApplicable, "the stack has no AuthorizationPolicy");
  });

  it("ignore providers and non-Kubernetes resources in the stack", async () => {
    const resources: EngineResource[] = [
      ...stackOf(compliantPlatform()),
      { type: "pulumi:providers:kubernetes", name: "default", props: { kubeconfig: UNKNOWN.string } },
      { type: "mesh-egress:index:EgressPlatform", name: "platform", props: {} },
      { type: "random:index/randomId:RandomId", name: "suffix", props: { hex: UNKNOWN.string } },
    ];
    for (const policy of policies.filter(isStackPolicy)) {
      const outcome = await runStackPolicy(policy, resources);
      assert.deepEqual(outcome.violations, [], policy.name);
      assert.equal(outcome.advisory, undefined, policy.name);
    }
  });

  it("read the helm.v4 Chart component's values at preview: a LoadBalancer gateway is flagged", async () => {
    const resources = previewWithHelmChart("LoadBalancer");
    const chart = resources.find((r) => r.type === "kubernetes:helm.sh/v4:Chart")!;
    const outcome = await runResourcePolicy(resourcePolicyNamed("gateway-service-cluster-ip"), chart);
    assert.equal(outcome.violations.length, 1);
    assert.match(
      outcome.violations[0]?.message ?? "",
      /Chart istio-egress\/istio-egressgateway: exposes the egress gateway as a LoadBalancer/,
    );
    const clusterIp = previewWithHelmChart("ClusterIP").find(
      (r) => r.type === "kubernetes:helm.sh/v4:Chart",
    )!;
    assert.deepEqual(
      (await runResourcePolicy(resourcePolicyNamed("gateway-service-cluster-ip"), clusterIp)).violations,
      [],
    );
  });

  it("judge availability from the chart's rendered Deployment and HPA at preview", async () => {
    const resources = previewWithHelmChart("ClusterIP");
    const replicas = await runStackPolicy(stackPolicyNamed("gateway-ha-min-replicas"), resources);
    assert.equal(replicas.violations.length, 1);
    assert.match(
      replicas.violations[0]?.message ?? "",
      /Deployment istio-egress\/istio-egressgateway: the egress gateway scales from 1/,
    );
    assert.equal(
      replicas.violations[0]?.urn,
      "urn:pulumi:prod::mesh-egress::kubernetes:apps/v1:Deployment::istio-egress-istio-egressgateway-deployment",
    );
    const budget = await runStackPolicy(stackPolicyNamed("gateway-ha-disruption-budget"), resources);
    assert.equal(budget.violations.length, 1);
    assert.deepEqual(
      (await runStackPolicy(stackPolicyNamed("gateway-ha-zone-spread"), resources)).violations,
      [],
    );
  });

  it("report a rule that fails as a violation instead of failing the preview", async () => {
    const broken: ResourceRule = {
      ...(allRules.find((r) => r.name === "service-entry-export-scoped") as ResourceRule),
      check: () => {
        throw new TypeError("cannot read properties of undefined");
      },
    };
    const outcome = await runResourcePolicy(
      resourcePolicy(broken),
      asEngineResource(find(compliantPlatform(), "ServiceEntry", "egress-openai")),
    );
    assert.equal(outcome.violations.length, 1);
    assert.match(
      outcome.violations[0]?.message ?? "",
      /could not evaluate kubernetes:networking\.istio\.io\/v1:ServiceEntry istio-egress-egress-openai-serviceentry: cannot read/,
    );
  });
});
