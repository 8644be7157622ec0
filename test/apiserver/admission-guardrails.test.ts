import { strict as assert } from "assert";
import { renderDocuments } from "../../cli/render";
import type { KubernetesObject } from "../../components/kubernetes-object";
import {
  COMPLIANT_PODS,
  Case,
  everyServedVersion,
  GATEWAY_NS,
  HOSTILE_IN_EVERY_KIND,
  HOSTILE_PODS,
  HOSTILE_TEMPLATES,
  initInjectedPod,
  ISTIO_VERSIONS,
  object,
  POD_KINDS,
  ROOT_NS,
  TENANT,
  TENANT_CASES,
  TENANT_NEIGHBOURS,
} from "../support/admission-guardrail-cases";
import { breakGlassConfig, entry } from "../support/break-glass-fixtures";
import {
  grantPlatformAdmin,
  grantTenantAdmin,
  kubectlAs,
  PLATFORM_USER,
  TENANT_USER,
} from "../support/envtest/identities";
import type { KubectlResult } from "../support/envtest/kubectl";
import { applyStrict, ensurePreexistingNamespaces, uninstall } from "../support/envtest/server-side-apply";
import { describeWithApiServer } from "../support/envtest/shared-api-server";
import { installStandInCrds, removeStandInCrds } from "../support/envtest/stand-in-crds";
import { projectStack } from "../support/stacks";
import {
  assertAdmitted,
  assertDeniedBy,
  prodRenderForGuardrails,
} from "../support/envtest/guardrail-verdicts";

/** Bindings reach the admission chain through an informer: wait until the probe sees them (10 s at most). */
async function untilEnforced(probe: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 40; attempt++) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error("the guardrails never took effect");
}

const hijack = () =>
  object("networking.istio.io/v1", "Gateway", TENANT, "edge", {
    spec: {
      selector: { istio: "egressgateway" },
      servers: [
        {
          port: { number: 443, name: "tls", protocol: "TLS" },
          hosts: ["*/x.example.com"],
          tls: { mode: "PASSTHROUGH" },
        },
      ],
    },
  });

/** The user the suite's kubectl runs as (its client certificate's CN, in system:masters): the cluster admin. */
const ENVTEST_USER = "envtest-admin";

/** RFC 3339, `hours` from the real clock: the API server judges break-glass against its own creationTimestamp. */
const fromNow = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

/** What active entries render (a `direct` one for payments, a grant of a service and one of a new host), at the real clock. */
const breakGlassObjects = (): KubernetesObject[] =>
  renderDocuments(
    breakGlassConfig(
      {
        breakGlass: [
          entry({ expiresAt: fromNow(6) }),
          entry({
            id: "stripe-for-assistant",
            expiresAt: fromNow(6),
            scope: { grant: { tenant: "assistant", service: "stripe" } },
          }),
          entry({
            id: "newpartner",
            expiresAt: fromNow(6),
            scope: {
              grant: {
                tenant: "assistant",
                destination: { host: "api.newpartner.example", mode: "originate" },
              },
            },
          }),
          // A TLS one too: an HTTP host joins the shared HTTP Gateway, a TLS host brings its own, per tenant.
          entry({
            id: "newpartner-tls",
            expiresAt: fromNow(6),
            scope: {
              grant: {
                tenant: "assistant",
                destination: { host: "files.newpartner.example", port: 443, mode: "passthrough-mtls" },
              },
            },
          }),
        ],
      },
      "prod",
      new Date().toISOString(),
    ),
  ).filter((o) => o.metadata.labels?.["mesh-egress.io/break-glass"]);

/** The `direct` entry's NetworkPolicy for payments, with its metadata and first egress rule changed. */
function directPolicy(
  change: (metadata: Record<string, any>, rule: Record<string, any>) => void = () => undefined,
): KubernetesObject {
  const policy = structuredClone(
    breakGlassObjects().find((o) => o.kind === "NetworkPolicy" && o.metadata.namespace === TENANT)!,
  );
  change(policy.metadata as Record<string, any>, (policy.spec as any).egress[0]);
  return policy;
}

/** Break-glass cases: the deployer (a requester) sends them, since only it may create platform-labelled objects. */
const BREAK_GLASS_CASES: readonly (Case & { neighbour: string; admitted: KubernetesObject })[] = [
  {
    guardrail: "network-policy-internal-egress",
    weakening: "a break-glass direct NetworkPolicy without its break-glass label and annotations",
    denied: directPolicy((metadata) => {
      delete metadata.labels;
      delete metadata.annotations;
    }),
    neighbour: "the NetworkPolicy an active break-glass direct entry renders",
    admitted: directPolicy(),
  },
  {
    guardrail: "network-policy-internal-egress",
    weakening: "a break-glass direct NetworkPolicy whose expires-at has passed",
    denied: directPolicy((metadata) => (metadata.annotations["mesh-egress.io/expires-at"] = fromNow(-1))),
    neighbour: "the same policy expiring within the hour",
    admitted: directPolicy((metadata) => (metadata.annotations["mesh-egress.io/expires-at"] = fromNow(0.5))),
  },
  {
    guardrail: "network-policy-internal-egress",
    weakening: "a break-glass direct NetworkPolicy expiring beyond prod's 24h",
    denied: directPolicy((metadata) => (metadata.annotations["mesh-egress.io/expires-at"] = fromNow(25))),
    neighbour: "the same policy expiring in 23h",
    admitted: directPolicy((metadata) => (metadata.annotations["mesh-egress.io/expires-at"] = fromNow(23))),
  },
  {
    guardrail: "network-policy-internal-egress",
    weakening: "a break-glass direct NetworkPolicy whose expires-at is not RFC 3339",
    denied: directPolicy((metadata) => (metadata.annotations["mesh-egress.io/expires-at"] = "tomorrow")),
    neighbour: "the same policy with an RFC 3339 offset other than Z",
    admitted: directPolicy(
      (metadata) =>
        (metadata.annotations["mesh-egress.io/expires-at"] = new Date(Date.now() + 3 * 3_600_000)
          .toISOString()
          .replace(/\.\d+Z$/, "+00:00")),
    ),
  },
  {
    guardrail: "network-policy-internal-egress",
    weakening:
      "a break-glass direct NetworkPolicy whose expires-at has a lowercase t and z, which CEL's timestamp() cannot read",
    denied: directPolicy(
      (metadata) =>
        (metadata.annotations["mesh-egress.io/expires-at"] = fromNow(3).replace("T", "t").replace("Z", "z")),
    ),
    neighbour: "the same policy with an uppercase T and Z",
    admitted: directPolicy((metadata) => (metadata.annotations["mesh-egress.io/expires-at"] = fromNow(3))),
  },
  {
    guardrail: "network-policy-internal-egress",
    weakening: "a break-glass direct NetworkPolicy without a ticket",
    denied: directPolicy((metadata) => delete metadata.annotations["mesh-egress.io/ticket"]),
    neighbour: "a break-glass NetworkPolicy that opens nothing public, with a ticket",
    admitted: directPolicy((_, rule) => (rule.to = [{ namespaceSelector: {} }])),
  },
  {
    guardrail: "network-policy-internal-egress",
    weakening: "a break-glass direct NetworkPolicy that no longer excepts the internal ranges",
    denied: directPolicy((_, rule) => delete rule.to[0].ipBlock.except),
    neighbour: "the rendered policy (internal ranges excepted)",
    admitted: directPolicy(),
  },
  {
    guardrail: "network-policy-internal-egress",
    weakening: "a break-glass direct NetworkPolicy open on every port",
    denied: directPolicy((_, rule) => delete rule.ports),
    neighbour: "the rendered policy (its services' ports only)",
    admitted: directPolicy(),
  },
  {
    guardrail: "network-policy-internal-egress",
    weakening: "a break-glass direct NetworkPolicy whose port became a range (endPort)",
    denied: directPolicy((_, rule) => (rule.ports[0].endPort = 65535)),
    neighbour: "the rendered policy (one TCP port a service)",
    admitted: directPolicy(),
  },
  {
    guardrail: "network-policy-internal-egress",
    weakening:
      "a break-glass direct NetworkPolicy naming a port, which matches every container port so named",
    denied: directPolicy((_, rule) => (rule.ports[0].port = "https")),
    neighbour: "the rendered policy (port numbers)",
    admitted: directPolicy(),
  },
  {
    guardrail: "network-policy-internal-egress",
    weakening:
      "a break-glass direct NetworkPolicy whose port entry names only a protocol, which is every port",
    denied: directPolicy((_, rule) => (rule.ports = [{ protocol: "TCP" }])),
    neighbour: "the rendered policy (port numbers)",
    admitted: directPolicy(),
  },
  {
    guardrail: "network-policy-internal-egress",
    weakening: "a break-glass direct NetworkPolicy opening UDP",
    denied: directPolicy((_, rule) => (rule.ports[0].protocol = "UDP")),
    neighbour: "the rendered policy (TCP)",
    admitted: directPolicy(),
  },
  {
    guardrail: "network-policy-internal-egress",
    weakening: "a break-glass NetworkPolicy labelled with the grant scope (grants go through the gateway)",
    denied: directPolicy((metadata) => (metadata.labels["mesh-egress.io/break-glass-scope"] = "grant")),
    neighbour: "the rendered direct policy",
    admitted: directPolicy(),
  },
];

/** Guardrails that judge objects outside tenant namespaces: the cluster admin sends these. */
const NON_TENANT_CASES: readonly (Case & { neighbour: string; admitted: KubernetesObject })[] = [
  {
    guardrail: "gateway-selector",
    weakening: "a Gateway with an empty selector in a namespace that is not a tenant",
    denied: object("networking.istio.io/v1", "Gateway", "default", "edge", {
      spec: {
        servers: [
          {
            port: { number: 443, name: "tls", protocol: "TLS" },
            hosts: ["*/x.example.com"],
            tls: { mode: "PASSTHROUGH" },
          },
        ],
      },
    }),
    neighbour: "a Gateway selecting the egress gateway in the gateway namespace",
    admitted: object("networking.istio.io/v1", "Gateway", GATEWAY_NS, "edge", {
      spec: {
        selector: { istio: "egressgateway" },
        servers: [
          {
            port: { number: 443, name: "tls", protocol: "TLS" },
            hosts: ["*/x.example.com"],
            tls: { mode: "PASSTHROUGH" },
          },
        ],
      },
    }),
  },
  {
    guardrail: "service-entry-registry",
    weakening: "a MESH_EXTERNAL ServiceEntry in a namespace that is not a tenant",
    denied: object("networking.istio.io/v1", "ServiceEntry", "default", "extra", {
      spec: {
        hosts: ["ledger.example.net"],
        ports: [{ number: 443, name: "tls", protocol: "TLS" }],
        resolution: "DNS",
      },
    }),
    neighbour: "a MESH_EXTERNAL ServiceEntry in the gateway namespace (the registry's own place)",
    admitted: object("networking.istio.io/v1", "ServiceEntry", GATEWAY_NS, "extra", {
      spec: {
        hosts: ["ledger.example.net"],
        ports: [{ number: 443, name: "tls", protocol: "TLS" }],
        resolution: "DNS",
      },
    }),
  },
  {
    guardrail: "envoy-filter-gateway",
    weakening: "an EnvoyFilter without a selector in the root namespace (every proxy)",
    denied: object("networking.istio.io/v1alpha3", "EnvoyFilter", ROOT_NS, "extra", {
      spec: { configPatches: [{ applyTo: "NETWORK_FILTER", patch: { operation: "REMOVE" } }] },
    }),
    neighbour: "an EnvoyFilter without a selector in the gateway namespace",
    admitted: object("networking.istio.io/v1alpha3", "EnvoyFilter", GATEWAY_NS, "extra", {
      spec: { configPatches: [{ applyTo: "NETWORK_FILTER", patch: { operation: "REMOVE" } }] },
    }),
  },
  {
    guardrail: "envoy-filter-gateway",
    weakening: "an EnvoyFilter selecting the gateway from the root namespace",
    denied: object("networking.istio.io/v1alpha3", "EnvoyFilter", ROOT_NS, "extra", {
      spec: {
        workloadSelector: { labels: { istio: "egressgateway" } },
        configPatches: [{ applyTo: "NETWORK_FILTER", patch: { operation: "REMOVE" } }],
      },
    }),
    neighbour: "an EnvoyFilter selecting istiod's own workloads from the root namespace",
    admitted: object("networking.istio.io/v1alpha3", "EnvoyFilter", ROOT_NS, "extra", {
      spec: {
        workloadSelector: { labels: { app: "istiod" } },
        configPatches: [{ applyTo: "NETWORK_FILTER", patch: { operation: "REMOVE" } }],
      },
    }),
  },
];

const asList = (objects: readonly KubernetesObject[]) =>
  JSON.stringify({ apiVersion: "v1", kind: "List", items: objects });

/**
 * On Pods (ephemeral containers included) the prod tenant namespace also enforces Pod Security baseline (the mesh
 * runs Istio CNI), which runs ahead of the guardrails: a baseline refusal by Kubernetes itself counts too.
 */
function assertPodDeniedBy(result: KubectlResult, guardrail: string): void {
  if (guardrail === "tenant-pod-security" && /violates PodSecurity "baseline:latest"/.test(result.stderr)) {
    assert.notEqual(result.status, 0);
    return;
  }
  assertDeniedBy(result, guardrail);
}

/** How a tenant can send a new object: create, and server-side apply (which creates through a patch). */
const CREATE_VERBS: readonly (readonly [string, readonly string[]])[] = [
  ["create", ["create", "--dry-run=server", "-f", "-"]],
  ["server-side apply", ["apply", "--server-side", "--field-manager=tenant", "--dry-run=server", "-f", "-"]],
];

describeWithApiServer(
  "admission guardrails of the prod render, against a tenant with admin in its namespace",
  (server) => {
    let documents: KubernetesObject[];
    const tenant = (args: readonly string[], input?: string) => kubectlAs(server(), TENANT_USER, args, input);
    const platform = (args: readonly string[], input?: string) =>
      kubectlAs(server(), PLATFORM_USER, args, input);
    /** The deployer (the cluster admin): break-glass objects and namespaces a tenant cannot write are its. */
    const asDeployer = (o: KubernetesObject, args: readonly string[]) =>
      server().kubectl(args, JSON.stringify(o));

    before(async function () {
      this.timeout(180_000);
      documents = prodRenderForGuardrails({ breakGlassRequesters: [ENVTEST_USER] });
      await installStandInCrds(server());
      await ensurePreexistingNamespaces(server(), [
        ...documents,
        ...[...NON_TENANT_CASES, ...BREAK_GLASS_CASES].flatMap((c) => [c.denied, c.admitted]),
      ]);
      await applyStrict(server(), documents);
      await grantTenantAdmin(server(), TENANT, TENANT_USER);
      await grantPlatformAdmin(server(), PLATFORM_USER);
      await untilEnforced(async () =>
        (await tenant(["create", "--dry-run=server", "-f", "-"], JSON.stringify(hijack()))).stderr.includes(
          "mesh-egress-gateway-selector",
        ),
      );
    });
    after(async function () {
      this.timeout(120_000);
      await uninstall(server(), documents);
      await removeStandInCrds(server());
    });

    it("serves each Istio kind at exactly the versions the cases try", async () => {
      for (const [groupKind, versions] of Object.entries(ISTIO_VERSIONS)) {
        const [group, kind] = groupKind.split("/") as [string, string];
        const crds = JSON.parse(await server().kubectlOrThrow(["get", "crd", "-o", "json"])) as {
          items: any[];
        };
        const crd = crds.items.find((c) => c.spec.group === group && c.spec.names.kind === kind);
        const served = (crd.spec.versions as { name: string; served: boolean }[])
          .filter((v) => v.served)
          .map((v) => v.name);
        assert.deepEqual([...served].sort(), [...versions].sort(), groupKind);
      }
    });

    it("acts as a tenant that is not a cluster admin: RBAC refuses it a cluster-scoped write", async () => {
      const result = await tenant(["create", "namespace", "tenant-made", "--dry-run=server"]);
      assert.notEqual(result.status, 0);
      assert.match(result.stderr, /forbidden: User "payments-admin" cannot create resource "namespaces"/);
    });

    describe("class 1: the platform's objects in the tenant namespace are the platform's", () => {
      const netpol = ["networkpolicy", "egress-via-gateway", "-n", TENANT];
      const side = ["sidecar.networking.istio.io", "default", "-n", TENANT];
      const hostile: readonly (readonly [string, readonly string[], string?])[] = [
        ["deleting the platform's NetworkPolicy", ["delete", ...netpol, "--dry-run=server"]],
        ["deleting the platform's Sidecar", ["delete", ...side, "--dry-run=server"]],
        [
          "patching the platform's NetworkPolicy to policyTypes [Ingress]",
          [
            "patch",
            ...netpol,
            "--type=merge",
            "-p",
            '{"spec":{"policyTypes":["Ingress"]}}',
            "--dry-run=server",
          ],
        ],
        [
          "patching the platform's NetworkPolicy to select no pod",
          [
            "patch",
            ...netpol,
            "--type=merge",
            "-p",
            '{"spec":{"podSelector":{"matchLabels":{"none":"none"}}}}',
            "--dry-run=server",
          ],
        ],
        [
          "patching the platform's NetworkPolicy to drop its ownership labels",
          [
            "patch",
            ...netpol,
            "--type=json",
            "-p",
            '[{"op":"remove","path":"/metadata/labels"}]',
            "--dry-run=server",
          ],
        ],
        [
          "patching the platform's Sidecar to know every host (*/*)",
          [
            "patch",
            ...side,
            "--type=merge",
            "-p",
            '{"spec":{"egress":[{"hosts":["*/*"]}]}}',
            "--dry-run=server",
          ],
        ],
      ];
      for (const [what, args] of hostile) {
        it(`platform-objects: denies the tenant ${what}`, async () => {
          assertDeniedBy(await tenant(args), "platform-objects");
        });
      }

      it("denies the tenant patching REGISTRY_ONLY out of the platform's Sidecar (platform-objects or sidecar-registry-only)", async () => {
        const result = await tenant([
          "patch",
          ...side,
          "--type=json",
          "-p",
          '[{"op":"remove","path":"/spec/outboundTrafficPolicy"}]',
          "--dry-run=server",
        ]);
        assert.notEqual(result.status, 0);
        assert.match(
          result.stderr,
          /mesh-egress guardrail (platform-objects|sidecar-registry-only): .*Fix: /s,
        );
      });

      it("platform-objects: denies the tenant deleting every NetworkPolicy of its namespace at once (deletecollection)", async () => {
        assertDeniedBy(
          await tenant([
            "delete",
            "--raw",
            `/apis/networking.k8s.io/v1/namespaces/${TENANT}/networkpolicies?dryRun=All`,
          ]),
          "platform-objects",
        );
      });

      it("platform-objects: denies the tenant replacing (update) the platform's NetworkPolicy", async () => {
        const current = JSON.parse(await server().kubectlOrThrow(["get", ...netpol, "-o", "json"]));
        current.spec.podSelector = { matchLabels: { "selects-no-pod": "true" } };
        assertDeniedBy(
          await tenant(["replace", "--dry-run=server", "-f", "-"], JSON.stringify(current)),
          "platform-objects",
        );
      });

      it("platform-objects: denies the tenant server-side applying its own version of the platform's Sidecar", async () => {
        const mine = {
          apiVersion: "networking.istio.io/v1beta1",
          kind: "Sidecar",
          metadata: { name: "default", namespace: TENANT },
          spec: { outboundTrafficPolicy: { mode: "REGISTRY_ONLY" }, egress: [{ hosts: ["*/*"] }] },
        };
        assertDeniedBy(
          await tenant(
            [
              "apply",
              "--server-side",
              "--force-conflicts",
              "--field-manager=tenant",
              "--dry-run=server",
              "-f",
              "-",
            ],
            JSON.stringify(mine),
          ),
          "platform-objects",
        );
      });

      it("platform-objects: denies the tenant creating an object wearing the platform's ownership labels", async () => {
        const fake = object("networking.k8s.io/v1", "NetworkPolicy", TENANT, "looks-official", {
          metadata: {
            name: "looks-official",
            namespace: TENANT,
            labels: { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "mesh-egress" },
          },
          spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ podSelector: {} }] }] },
        });
        assertDeniedBy(
          await tenant(["create", "--dry-run=server", "-f", "-"], JSON.stringify(fake)),
          "platform-objects",
        );
      });

      it("platform-objects: admits a platform identity (RBAC cluster-admin, not system:masters) updating and deleting the platform's objects", async () => {
        assertAdmitted(
          await platform(["annotate", ...netpol, "mesh-egress.io/reviewed=yes", "--dry-run=server"]),
        );
        assertAdmitted(await platform(["delete", ...side, "--dry-run=server"]));
      });

      it("platform-objects: admits the cluster admin (system:masters) re-applying the whole render", async () => {
        const applied = await applyStrict(server(), documents, { dryRun: true });
        assert.equal(applied.size, documents.length);
      });

      it("platform-objects: admits the tenant changing and deleting its own NetworkPolicy", async () => {
        const own = object("networking.k8s.io/v1", "NetworkPolicy", TENANT, "own", {
          spec: { podSelector: {}, policyTypes: ["Ingress"] },
        });
        assertAdmitted(
          await tenant(["apply", "--server-side", "--field-manager=tenant", "-f", "-"], JSON.stringify(own)),
        );
        assertAdmitted(
          await tenant(["label", "networkpolicy", "own", "-n", TENANT, "team=payments", "--dry-run=server"]),
        );
        assertAdmitted(await tenant(["delete", "networkpolicy", "own", "-n", TENANT]));
      });

      const operator = "cluster-operator";
      const ns = ["namespace", TENANT];
      const nsHostile: readonly (readonly [string, readonly string[]])[] = [
        ["removing the tenant label", ["label", ...ns, "mesh-egress.io/tenant-", "--dry-run=server"]],
        [
          "switching injection off",
          ["label", ...ns, "istio-injection=disabled", "--overwrite", "--dry-run=server"],
        ],
        [
          "lowering Pod Security to privileged",
          [
            "label",
            ...ns,
            "pod-security.kubernetes.io/enforce=privileged",
            "--overwrite",
            "--dry-run=server",
          ],
        ],
        ["deleting the tenant Namespace", ["delete", ...ns, "--dry-run=server"]],
      ];
      for (const [what, args] of nsHostile) {
        it(`tenant-namespace: denies an operator with RBAC on namespaces (not a platform identity) ${what}`, async () => {
          await server()
            .kubectlOrThrow([
              "create",
              "clusterrolebinding",
              "envtest-operator",
              "--clusterrole=cluster-admin",
              `--user=${operator}`,
              "--dry-run=client",
              "-o",
              "json",
            ])
            .then((json) =>
              server().kubectlOrThrow(["apply", "--server-side", "--field-manager=envtest", "-f", "-"], json),
            );
          assertDeniedBy(await kubectlAs(server(), operator, args), "tenant-namespace");
        });
      }

      it("tenant-namespace: admits a platform identity relabelling the tenant Namespace, and the operator adding a label of its own", async () => {
        assertAdmitted(
          await platform([
            "label",
            ...ns,
            "pod-security.kubernetes.io/enforce=restricted",
            "--overwrite",
            "--dry-run=server",
          ]),
        );
        assertAdmitted(
          await kubectlAs(server(), operator, ["label", ...ns, "cost-center=42", "--dry-run=server"]),
        );
      });
    });

    describe("class 2 and 3: pods and every pod-template kind", () => {
      for (const [guardrail, weakening, meta, spec] of HOSTILE_TEMPLATES) {
        for (const [verb, args] of CREATE_VERBS) {
          it(`${guardrail}: denies a Deployment with ${weakening} (${verb})`, async () => {
            assertDeniedBy(await tenant(args, JSON.stringify(POD_KINDS[1]!.wrap(meta, spec))), guardrail);
          });
        }
      }
      for (const [guardrail, weakening, meta, spec] of HOSTILE_PODS) {
        for (const [verb, args] of CREATE_VERBS) {
          it(`${guardrail}: denies a Deployment with ${weakening} (${verb})`, async () => {
            assertDeniedBy(await tenant(args, JSON.stringify(POD_KINDS[1]!.wrap(meta, spec))), guardrail);
          });
        }
        it(`${guardrail}: denies a Pod with ${weakening}`, async () => {
          assertPodDeniedBy(
            await tenant(CREATE_VERBS[0]![1], JSON.stringify(POD_KINDS[0]!.wrap(meta, spec))),
            guardrail,
          );
        });
      }
      for (const kind of POD_KINDS.slice(2)) {
        for (const [guardrail, weakening, meta, spec] of HOSTILE_IN_EVERY_KIND) {
          it(`${guardrail}: denies a ${kind.kind} with ${weakening}`, async () => {
            assertDeniedBy(
              await tenant(CREATE_VERBS[0]![1], JSON.stringify(kind.wrap(meta, spec))),
              guardrail,
            );
          });
        }
      }
      it("tenant-pod-security: denies a pod injected with istio-init (NET_ADMIN, NET_RAW) in a mesh that runs Istio CNI", async () => {
        assertPodDeniedBy(
          await tenant(CREATE_VERBS[0]![1], JSON.stringify(initInjectedPod())),
          "tenant-pod-security",
        );
      });
      for (const { neighbour, admitted } of COMPLIANT_PODS) {
        it(`admits ${neighbour}`, async () => {
          assertAdmitted(await tenant(CREATE_VERBS[1]![1], JSON.stringify(admitted)));
        });
      }

      describe("on a running Deployment and Pod", () => {
        const plain = POD_KINDS[1]!.wrap(
          {},
          { containers: [{ name: "app", image: "registry.example/app:1" }] },
        );
        const pod = POD_KINDS[0]!.wrap(
          {},
          { containers: [{ name: "app", image: "registry.example/app:1" }] },
        );
        before(async () => {
          assertAdmitted(
            await tenant(
              ["apply", "--server-side", "--field-manager=tenant", "-f", "-"],
              asList([plain, pod]),
            ),
          );
        });
        after(async () => {
          await server().kubectl(["delete", "deployment,pod", "app", "-n", TENANT, "--wait=false"]);
        });

        it("tenant-pod-istio-knobs: denies patching injection off into a Deployment's template", async () => {
          assertDeniedBy(
            await tenant([
              "patch",
              "deployment",
              "app",
              "-n",
              TENANT,
              "--type=merge",
              "-p",
              '{"spec":{"template":{"metadata":{"labels":{"sidecar.istio.io/inject":"false"}}}}}',
              "--dry-run=server",
            ]),
            "tenant-pod-istio-knobs",
          );
        });
        it("tenant-pod-security: denies updating a Deployment to hostNetwork", async () => {
          const current = JSON.parse(
            await server().kubectlOrThrow(["get", "deployment", "app", "-n", TENANT, "-o", "json"]),
          );
          current.spec.template.spec.hostNetwork = true;
          assertDeniedBy(
            await tenant(["replace", "--dry-run=server", "-f", "-"], JSON.stringify(current)),
            "tenant-pod-security",
          );
        });
        /** What `kubectl debug` sends: a patch of the pods/ephemeralcontainers subresource, as the tenant. */
        const addEphemeralContainer = (securityContext?: Record<string, unknown>) =>
          tenant([
            "patch",
            "pod",
            "app",
            "-n",
            TENANT,
            "--subresource=ephemeralcontainers",
            "--type=strategic",
            "-p",
            JSON.stringify({
              spec: {
                ephemeralContainers: [
                  {
                    name: "debug",
                    image: "registry.example/debug:1",
                    ...(securityContext ? { securityContext } : {}),
                  },
                ],
              },
            }),
            "--dry-run=server",
          ]);
        it("tenant-pod-security: denies an ephemeral container adding NET_ADMIN", async () => {
          assertPodDeniedBy(
            await addEphemeralContainer({ capabilities: { add: ["NET_ADMIN"] } }),
            "tenant-pod-security",
          );
        });
        it("tenant-pod-security: denies an ephemeral container running as UID 1337", async () => {
          assertPodDeniedBy(await addEphemeralContainer({ runAsUser: 1337 }), "tenant-pod-security");
        });
        it("admits a plain ephemeral debug container", async () => {
          assertAdmitted(await addEphemeralContainer());
        });
        it("admits scaling the Deployment (an update that keeps the template)", async () => {
          assertAdmitted(
            await tenant(["scale", "deployment", "app", "-n", TENANT, "--replicas=2", "--dry-run=server"]),
          );
        });
      });
    });

    describe("classes 4 to 8: destinations, gateway hijack, ranges, telemetry, CNI policies", () => {
      for (const c of TENANT_CASES) {
        for (const variant of everyServedVersion(c.denied)) {
          for (const [verb, args] of CREATE_VERBS) {
            it(`${c.guardrail}: denies ${c.weakening} (${variant.apiVersion}, ${verb})`, async () => {
              assertDeniedBy(await tenant(args, JSON.stringify(variant)), c.guardrail);
            });
          }
        }
      }
      for (const { neighbour, admitted } of TENANT_NEIGHBOURS) {
        it(`admits ${neighbour}`, async () => {
          assertAdmitted(await tenant(CREATE_VERBS[1]![1], JSON.stringify(admitted)));
        });
      }
    });

    describe("outside tenant namespaces, and break-glass", () => {
      for (const c of [...NON_TENANT_CASES, ...BREAK_GLASS_CASES]) {
        it(`${c.guardrail}: denies ${c.weakening}`, async () => {
          assertDeniedBy(await asDeployer(c.denied, CREATE_VERBS[1]![1]), c.guardrail);
        });
        it(`${c.guardrail}: admits ${c.neighbour}`, async () => {
          assertAdmitted(await asDeployer(c.admitted, CREATE_VERBS[1]![1]));
        });
      }

      it("network-policy-internal-egress: denies the break-glass NetworkPolicy an active entry renders when someone else than the requesters creates it", async () => {
        // A platform identity, yet not a requester: only the break-glass clause can refuse it.
        assertDeniedBy(
          await platform(CREATE_VERBS[1]![1], JSON.stringify(directPolicy())),
          "network-policy-internal-egress",
        );
      });

      it("admits the direct NetworkPolicy of an entry whose expiresAt is written with a lowercase t and z, as RFC 3339 allows", async () => {
        const lowercase = fromNow(6).replace("T", "t").replace("Z", "z");
        const policy = renderDocuments(
          breakGlassConfig(
            { breakGlass: [entry({ expiresAt: lowercase })] },
            "prod",
            new Date().toISOString(),
          ),
        ).find((o) => o.kind === "NetworkPolicy" && o.metadata.labels?.["mesh-egress.io/break-glass"])!;
        const applied = await applyStrict(server(), [policy], { dryRun: true });
        assert.equal(applied.size, 1);
      });

      it("admits every object active break-glass entries render (direct, grant, grant of a new host), strictly validated", async () => {
        const objects = breakGlassObjects();
        assert.deepEqual([...new Set(objects.map((o) => o.kind))].sort(), [
          "AuthorizationPolicy",
          "DestinationRule",
          "Gateway",
          "NetworkPolicy",
          "ServiceEntry",
          "VirtualService",
        ]);
        const applied = await applyStrict(server(), objects, { dryRun: true });
        assert.equal(applied.size, objects.length);
      });
    });
  },
);

describeWithApiServer("admission guardrails of the dev render, on a real API server", (server) => {
  let documents: KubernetesObject[];
  const hijackDryRun = () =>
    kubectlAs(server(), TENANT_USER, ["create", "--dry-run=server", "-f", "-"], JSON.stringify(hijack()));

  before(async function () {
    this.timeout(120_000);
    documents = renderDocuments(projectStack("dev"));
    await ensurePreexistingNamespaces(server(), documents);
    await applyStrict(server(), documents);
    await grantTenantAdmin(server(), TENANT, TENANT_USER);
    await untilEnforced(async () => (await hijackDryRun()).stderr.includes("Warning"));
  });
  after(async function () {
    this.timeout(120_000);
    await uninstall(server(), documents);
  });

  it("warns about a hijacking Gateway (Warn + Audit) instead of refusing it", async () => {
    const result = await hijackDryRun();
    assert.equal(result.status, 0, result.stderr);
    assert.match(
      result.stderr,
      /Warning: Validation failed for ValidatingAdmissionPolicy 'mesh-egress-gateway-selector'/,
    );
  });
});
