import { strict as assert } from "assert";
import { installPulumiMocks } from "./support/pulumi-harness";
import { MalformedCase, itRefusesEach, Stack } from "./support/malformed-config";
import { runProgram } from "./support/run-program";

before(installPulumiMocks);

/** A small valid stack: every malformed case below changes one thing in it. */
function validStack(): Stack {
  return {
    environment: "dev",
    gateway: { namespace: "istio-egress" },
    services: [
      { name: "stripe", hosts: ["api.stripe.com"], mode: "passthrough-mtls" },
      { name: "openai", hosts: ["api.openai.com"], mode: "originate" },
    ],
    tenants: [{ namespace: "payments", allow: ["stripe"] }],
  };
}

const cases: MalformedCase[] = [
  { title: "a misspelt top-level key", mutate: (s) => (s.gatway = {}), path: "gatway", says: /unknown key/ },
  {
    title: "a misspelt gateway key",
    mutate: (s) => (s.gateway.replica = { min: 2 }),
    path: "gateway.replica",
    says: /unknown key "replica"/,
  },
  {
    title: "an unknown environment tier",
    mutate: (s) => (s.environment = "staging"),
    path: "environment",
    says: /dev or prod/,
  },
  {
    title: "a missing environment tier",
    mutate: (s) => delete s.environment,
    path: "environment",
    says: /dev or prod/,
  },
  {
    title: "a tenant naming an unknown service",
    mutate: (s) => (s.tenants[0].allow = ["strpe"]),
    path: "tenants[0].allow[0]",
    says: /unknown external service "strpe"; declared services: stripe, openai/,
  },
  {
    title: "two services with one name",
    mutate: (s) => (s.services[1].name = "stripe"),
    path: "services[1].name",
    says: /duplicate service name/,
  },
  {
    title: "one host in two services",
    mutate: (s) => (s.services[1].hosts = ["api.stripe.com"]),
    path: "services[1].hosts[0]",
    says: /already declared by service "stripe"/,
  },
  {
    title: "a wildcard host",
    mutate: (s) => (s.services[0].hosts = ["*.stripe.com"]),
    path: "services[0].hosts[0]",
    says: /wildcard/,
  },
  {
    title: "an IP host",
    mutate: (s) => (s.services[0].hosts = ["52.1.2.3"]),
    path: "services[0].hosts[0]",
    says: /IP host/,
  },
  {
    title: "an in-cluster host",
    mutate: (s) => (s.services[0].hosts = ["db.payments.svc.cluster.local"]),
    path: "services[0].hosts[0]",
    says: /in-cluster/,
  },
  {
    title: "a service name that is not DNS-1123",
    mutate: (s) => (s.services[0].name = "Stripe_API"),
    path: "services[0].name",
    says: /DNS-1123/,
  },
  {
    title: "a tenant that is the gateway's namespace",
    mutate: (s) => (s.tenants[0].namespace = "istio-egress"),
    path: "tenants[0].namespace",
    says: /gateway's namespace/,
  },
  {
    title: "a tenant that is a system namespace",
    mutate: (s) => (s.tenants[0].namespace = "kube-system"),
    path: "tenants[0].namespace",
    says: /system namespace/,
  },
  {
    title: "the same tenant twice",
    mutate: (s) => s.tenants.push({ namespace: "payments", allow: ["openai"] }),
    path: "tenants[1].namespace",
    says: /duplicate tenant/,
  },
  {
    title: "a misspelt routing mode",
    mutate: (s) => (s.services[0].mode = "passthru"),
    path: "services[0].mode",
    says: /passthrough, passthrough-mtls, originate, originate-mutual/,
  },
  {
    title: "plain passthrough in prod, which cannot be scoped to tenants",
    mutate: (s) => {
      s.environment = "prod";
      s.services[0].mode = "passthrough";
    },
    path: "services[0].mode",
    says: /cannot be scoped to tenants in prod.*use mode passthrough-mtls/,
  },
  {
    title: "a tenant marked as a namespace with open egress",
    mutate: (s) => (s.cluster = { openEgressNamespaces: ["payments"] }),
    path: "cluster.openEgressNamespaces[0]",
    says: /is a tenant, whose egress is locked/,
  },
  {
    title: "a CA issuer as a namespaced Issuer, whose key would sit in the gateway namespace",
    mutate: (s) => (s.issuers = [{ name: "corp-ca", kind: "Issuer", ca: { secretName: "corp-ca" } }]),
    path: "issuers[0].kind",
    says: /gateway's Role reads every Secret.*use kind ClusterIssuer/,
  },
  {
    title: "a cluster internal range that is a whole address family",
    mutate: (s) => (s.cluster = { internalCidrs: ["2600:1f18::/32", "::/0"] }),
    path: "cluster.internalCidrs[1]",
    says: /whole address family/,
  },
  {
    title: "a control-plane revision that is not a label value istiod uses (dots)",
    mutate: (s) => (s.controlPlane = { revision: "1.30.3" }),
    path: "controlPlane.revision",
    says: /./,
  },
  {
    title: "TLS verification settings on a passthrough service",
    mutate: (s) => (s.services[0].tls = { subjectAltNames: ["api.stripe.com"] }),
    path: "services[0].tls",
    says: /only where the gateway originates TLS/,
  },
  {
    title: "a mutual-TLS service without its client credential",
    mutate: (s) => (s.services[1].mode = "originate-mutual"),
    path: "services[1].tls.credentialName",
    says: /client certificate/,
  },
  {
    title: "more minimum than maximum replicas",
    mutate: (s) => (s.gateway.replicas = { min: 5, max: 2 }),
    path: "gateway.replicas",
    says: /raise max or lower min/,
  },
  {
    title: "a port out of range",
    mutate: (s) => (s.services[0].port = 70000),
    path: "services[0].port",
    says: /65535/,
  },
  {
    title: "the removed allowedCidrs key",
    mutate: (s) => (s.services[0].allowedCidrs = ["203.0.113.0/24"]),
    path: "services[0].allowedCidrs",
    says: /allowedCidrs was removed: .*narrowed nothing\. Use pinnedAddresses/,
  },
  {
    title: "a pinned address inside private address space",
    mutate: (s) => (s.services[0].pinnedAddresses = ["203.0.113.10", "10.1.2.3"]),
    path: "services[0].pinnedAddresses[1]",
    says: /10\.1\.2\.3 is in private, shared, loopback, link-local or NAT64 space/,
  },
  {
    title: "a pinned IPv6 link-local address",
    mutate: (s) => (s.services[0].pinnedAddresses = ["fe80::1"]),
    path: "services[0].pinnedAddresses[0]",
    says: /fe80::1 is in private, shared, loopback, link-local or NAT64 space/,
  },
  {
    title: "a pinned multicast address",
    mutate: (s) => (s.services[0].pinnedAddresses = ["224.0.0.251"]),
    path: "services[0].pinnedAddresses[0]",
    says: /multicast, reserved or unspecified/,
  },
  {
    title: "a pinned address that does not parse",
    mutate: (s) => (s.services[0].pinnedAddresses = ["203.0.113.300"]),
    path: "services[0].pinnedAddresses[0]",
    says: /is not an IP address/,
  },
  {
    title: "the whole IPv6 internet as a pinned address",
    mutate: (s) => (s.services[0].pinnedAddresses = ["::/0"]),
    path: "services[0].pinnedAddresses[0]",
    says: /whole address family: it pins nothing/,
  },
  {
    title: "a pinned range wider than one address",
    mutate: (s) => (s.services[0].pinnedAddresses = ["203.0.113.0/24"]),
    path: "services[0].pinnedAddresses[0]",
    says: /STATIC endpoints, which are single addresses/,
  },
  {
    title: "one address pinned twice in two spellings",
    mutate: (s) => (s.services[0].pinnedAddresses = ["2001:db8::10", "2001:0db8:0:0::10/128"]),
    path: "services[0].pinnedAddresses[1]",
    says: /2001:db8::10 is listed twice/,
  },
  {
    title: "an empty pinnedAddresses list",
    mutate: (s) => (s.services[0].pinnedAddresses = []),
    path: "services[0].pinnedAddresses",
    says: /at least one address/,
  },
  {
    title: "a pinned address inside the cluster's own ranges",
    mutate: (s) => {
      s.cluster = { internalCidrs: ["2600:1f14:abc::/56"] };
      s.services[0].pinnedAddresses = ["2600:1f14:abc::10"];
    },
    path: "services[0].pinnedAddresses[0]",
    says: /inside cluster\.internalCidrs 2600:1f14:abc::\/56/,
  },
  {
    title: "a tenant exempt from the cluster-wide lock",
    mutate: (s) => (s.cluster = { lockAllNamespaces: { exempt: ["cert-manager", "payments"] } }),
    path: "cluster.lockAllNamespaces.exempt[1]",
    says: /"payments" is a tenant.*cannot be exempt/,
  },
  {
    title: "the gateway namespace listed as a lock exemption",
    mutate: (s) => (s.cluster = { lockAllNamespaces: { exempt: ["istio-egress"] } }),
    path: "cluster.lockAllNamespaces.exempt[0]",
    says: /the lock always exempts: remove it/,
  },
  {
    title: "a lock priority beyond the AdminNetworkPolicy range",
    mutate: (s) => (s.cluster = { lockAllNamespaces: { priority: 1001 } }),
    path: "cluster.lockAllNamespaces.priority",
    says: /<=1000/,
  },
  {
    title: "a misspelt lock key",
    mutate: (s) => (s.cluster = { lockAllNamespaces: { exempts: ["cert-manager"] } }),
    path: "cluster.lockAllNamespaces.exempts",
    says: /unknown key "exempts"/,
  },
  {
    title: "a lock that is neither a boolean nor an object",
    mutate: (s) => (s.cluster = { lockAllNamespaces: "yes" }),
    path: "cluster.lockAllNamespaces",
    says: /must be true, false, or \{exempt/,
  },
  {
    title: "a disruption budget with a single replica",
    mutate: (s) => (s.gateway.podDisruptionBudget = { minAvailable: 1 }),
    path: "gateway.podDisruptionBudget",
    says: /at least 2 replicas/,
  },
  {
    title: "a client credential on a service that originates plain TLS",
    mutate: (s) => (s.services[1].tls = { credentialName: "openai-client" }),
    path: "services[1].tls.credentialName",
    says: /only presented in originate-mutual mode/,
  },
  {
    title: "TLS settings on a plain passthrough service",
    mutate: (s) => {
      s.services[0].mode = "passthrough";
      s.services[0].tls = { sni: "api.stripe.com" };
    },
    path: "services[0].tls",
    says: /in passthrough mode the application verifies the server itself/,
  },
  {
    title: "origination on the gateway's own plain-HTTP port",
    mutate: (s) => (s.services[1].port = 80),
    path: "services[1].port",
    says: /port 80 is where the gateway receives plain HTTP/,
  },
  ...["1.2.3", "100mi", "5iK", "1e", "Gi", "1.5 Gi", "+-1"].map((memory): MalformedCase => ({
    title: `a memory request "${memory}" that is no Kubernetes quantity`,
    mutate: (s) => (s.gateway.resources = { requests: { memory } }),
    path: "gateway.resources.requests.memory",
    says: /must be a Kubernetes quantity such as 500m, 1\.5Gi/,
  })),
  {
    title: "an explicit SNI on a multi-host service",
    mutate: (s) => {
      s.services[1].hosts = ["api.openai.com", "files.openai.com"];
      s.services[1].tls = { sni: "api.openai.com" };
    },
    path: "services[1].tls.sni",
    says: /single-host/,
  },
];

describe("the program refuses malformed configuration before registering anything", () => {
  it("registers the platform from the unmodified stack (the control for every case below)", async () => {
    const { error, registered } = await runProgram(validStack());
    assert.equal(error, undefined);
    assert.ok(registered.length > 10, `registered ${registered.length} resources`);
  });

  itRefusesEach(cases, validStack);

  it("accepts every form of the Kubernetes quantity grammar: decimal SI, binary SI and exponents", async () => {
    const stack = validStack();
    stack.gateway.resources = {
      // Requests stay within limits (Kubernetes refuses the pod otherwise), in every notation.
      requests: { cpu: "100m", memory: "+.5E2" },
      limits: { cpu: "1e3", memory: "1.5Gi" },
    };
    const { error, registered } = await runProgram(stack);
    assert.equal(error, undefined);
    const chart = registered.find((r) => r.type.includes("helm") || r.type.includes("Chart"));
    assert.ok(chart, "the gateway chart is registered");
    assert.match(JSON.stringify(chart.inputs), /"1\.5Gi"/);
  });

  it("reports every problem at once, not only the first", async () => {
    const stack = validStack();
    stack.services[0].hosts = ["*.stripe.com"];
    stack.gateway.replca = 3;
    const { error } = await runProgram(stack);
    assert.match(error?.message ?? "", /services\[0\]\.hosts\[0\]/);
    assert.match(error?.message ?? "", /gateway\.replca/);
  });
});
