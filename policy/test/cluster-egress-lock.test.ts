import * as assert from "node:assert/strict";
import { KubernetesObject } from "../contract";
import { breakGlassPublicEgressPortScoped } from "../rules/break-glass/break-glass-public-egress-port-scoped";
import { clusterEgressLockedOutsideGateway } from "../rules/tenant-isolation/cluster-egress-locked-outside-gateway";
import { compliantPlatform, find, GATEWAY_NS, Mutable } from "./compliant-platform";
import { assertOnlyRuleFires, assertRulePasses, findings } from "./rule-harness";

const LOCK = "mesh-egress.io/lock-all-namespaces-exempt";

/** An AdminNetworkPolicy shaped like the program's, exempting the given namespaces. */
function lockPolicy(exempt: readonly string[]): KubernetesObject {
  return {
    apiVersion: "policy.networking.k8s.io/v1alpha1",
    kind: "AdminNetworkPolicy",
    metadata: { name: "mesh-egress-lock-all-namespaces" },
    spec: {
      priority: 10,
      subject: {
        namespaces: {
          matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: [...exempt] }],
        },
      },
      egress: [
        { name: "pods-keep-their-network-policies", action: "Pass", to: [{ namespaces: {} }] },
        {
          name: "internal-ranges-keep-their-network-policies",
          action: "Pass",
          to: [{ networks: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"] }],
        },
        { name: "deny-outside-the-cluster", action: "Deny", to: [{ networks: ["0.0.0.0/0", "::/0"] }] },
      ],
    },
  };
}

/** The compliant platform asking for the lock (cert-manager exempt), with the policy that holds it. */
function lockedPlatform(): KubernetesObject[] {
  const objects = compliantPlatform();
  find(objects, "Namespace", GATEWAY_NS).metadata.annotations = { [LOCK]: "cert-manager" };
  objects.push(lockPolicy([GATEWAY_NS, "cert-manager"]));
  return objects;
}

const anp = (objects: KubernetesObject[]): Mutable =>
  find(objects, "AdminNetworkPolicy", "mesh-egress-lock-all-namespaces");

/** An AdminNetworkPolicy one priority ahead of the lock, passing public egress on `ports` for `subject`. */
function passAhead(
  name: string,
  subject: Record<string, unknown>,
  ports: readonly number[],
): KubernetesObject {
  return {
    apiVersion: "policy.networking.k8s.io/v1alpha1",
    kind: "AdminNetworkPolicy",
    metadata: { name },
    spec: {
      priority: 9,
      subject,
      egress: [
        {
          name: "pass",
          action: "Pass",
          to: [{ networks: ["0.0.0.0/0", "::/0"] }],
          ...(ports.length > 0
            ? { ports: ports.map((port) => ({ portNumber: { protocol: "UDP", port } })) }
            : {}),
        },
      ],
    },
  };
}

/** A break-glass entry's labels and annotations, valid for the next six hours. */
function breakGlass(object: KubernetesObject): KubernetesObject {
  const expiresAt = new Date(Date.now() + 6 * 3_600_000).toISOString().replace(/\.\d+Z$/, "Z");
  return {
    ...object,
    metadata: {
      ...object.metadata,
      labels: { "mesh-egress.io/break-glass": "gw-outage", "mesh-egress.io/break-glass-scope": "direct" },
      annotations: {
        "mesh-egress.io/expires-at": expiresAt,
        "mesh-egress.io/reason": "gateway outage",
        "mesh-egress.io/ticket": "INC-1",
        "mesh-egress.io/approved-by": "lead@example.com",
      },
    },
  };
}

const DNS_PODS = {
  pods: {
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
    podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
  },
};

describe("cluster-egress-locked-outside-gateway", () => {
  it("accepts the DNS pods' port 53 passed ahead of the lock, and a break-glass pass on named ports", () => {
    const objects = lockedPlatform();
    objects.push(passAhead("dns-upstream", DNS_PODS, [53]));
    objects.push(
      breakGlass(
        passAhead(
          "bg",
          {
            namespaces: {
              matchExpressions: [
                { key: "kubernetes.io/metadata.name", operator: "In", values: ["payments"] },
              ],
            },
          },
          [443],
        ),
      ),
    );
    assertRulePasses(objects, clusterEgressLockedOutsideGateway);
  });

  it("flags a pass ahead of the lock that opens the DNS pods' every port", () => {
    const objects = lockedPlatform();
    objects.push(passAhead("dns-upstream", DNS_PODS, []));
    const [f] = assertOnlyRuleFires(objects, clusterEgressLockedOutsideGateway);
    assert.match(f?.message ?? "", /dns-upstream passes public egress on every port ahead of the lock/);
  });

  it("flags a pass ahead of the lock for every namespace on 443 that is no break-glass entry", () => {
    const objects = lockedPlatform();
    objects.push(passAhead("quiet-hole", { namespaces: {} }, [443]));
    const [f] = assertOnlyRuleFires(objects, clusterEgressLockedOutsideGateway);
    assert.match(
      f?.message ?? "",
      /quiet-hole passes public egress ahead of the lock for more than the DNS pods' port 53/,
    );
  });

  it("flags a break-glass pass ahead of the lock on every port, as the break-glass port rule does too", () => {
    const objects = lockedPlatform();
    objects.push(breakGlass(passAhead("bg", { namespaces: {} }, [])));
    const all = findings(objects);
    assert.deepEqual([...new Set(all.map((f) => f.rule))].sort(), [
      breakGlassPublicEgressPortScoped.name,
      clusterEgressLockedOutsideGateway.name,
    ]);
    const lock = all.find((f) => f.rule === clusterEgressLockedOutsideGateway.name);
    assert.match(lock?.message ?? "", /bg passes public egress on every port ahead of the lock/);
  });

  it("ignores a pass evaluated after the lock (a higher priority number)", () => {
    const objects = lockedPlatform();
    const later = passAhead("later", { namespaces: {} }, []) as Mutable;
    later.spec.priority = 50;
    objects.push(later);
    assertRulePasses(objects, clusterEgressLockedOutsideGateway);
  });

  it("accepts the lock exempting the gateway namespace and the declared exemption", () => {
    assertRulePasses(lockedPlatform(), clusterEgressLockedOutsideGateway);
  });

  it("does not apply when the stack does not ask for the lock", () => {
    assertRulePasses(compliantPlatform(), clusterEgressLockedOutsideGateway);
  });

  it("flags a stack that asks for the lock and deploys no AdminNetworkPolicy", () => {
    const objects = lockedPlatform().filter((o) => o.kind !== "AdminNetworkPolicy");
    const [f] = assertOnlyRuleFires(objects, clusterEgressLockedOutsideGateway);
    assert.match(f?.message ?? "", /no AdminNetworkPolicy denies egress outside the cluster/);
  });

  it("flags a lock that exempts a tenant namespace", () => {
    const objects = lockedPlatform();
    anp(objects).spec.subject.namespaces.matchExpressions[0].values.push("payments");
    const [f] = assertOnlyRuleFires(objects, clusterEgressLockedOutsideGateway);
    assert.match(f?.message ?? "", /exempts payments, which the stack does not declare exempt/);
  });

  it("flags a declared exemption naming a tenant", () => {
    const objects = lockedPlatform();
    find(objects, "Namespace", GATEWAY_NS).metadata.annotations[LOCK] = "cert-manager,payments";
    const [f] = assertOnlyRuleFires(objects, clusterEgressLockedOutsideGateway);
    assert.match(f?.message ?? "", /declares tenant namespace\(s\) payments exempt/);
  });

  it("flags a lock that denies IPv4 only", () => {
    const objects = lockedPlatform();
    anp(objects).spec.egress[2].to[0].networks = ["0.0.0.0/0"];
    const [f] = assertOnlyRuleFires(objects, clusterEgressLockedOutsideGateway);
    assert.match(f?.message ?? "", /no Deny rule covers every public address of both families/);
  });

  it("flags a lock that passes public addresses to NetworkPolicies before its Deny", () => {
    const objects = lockedPlatform();
    anp(objects).spec.egress[1].to[0].networks.push("203.0.113.0/24");
    const [f] = assertOnlyRuleFires(objects, clusterEgressLockedOutsideGateway);
    assert.match(
      f?.message ?? "",
      /egress rule 1 \(internal-ranges-keep-their-network-policies\) passes public addresses/,
    );
  });

  it("flags a lock whose subject is a label selector rather than every namespace but a list", () => {
    const objects = lockedPlatform();
    anp(objects).spec.subject = { namespaces: { matchLabels: { "mesh-egress.io/tenant": "true" } } };
    const [f] = assertOnlyRuleFires(objects, clusterEgressLockedOutsideGateway);
    assert.match(f?.message ?? "", /does not select "every namespace except a list"/);
  });

  it("accepts public pod ranges the gateway Namespace declares as the cluster's own, passed before the Deny", () => {
    const objects = lockedPlatform();
    find(objects, "Namespace", GATEWAY_NS).metadata.annotations["mesh-egress.io/cluster-internal-cidrs"] =
      "2600:1f14:abc::/56";
    anp(objects).spec.egress[1].to[0].networks.push("2600:1f14:abc::/56");
    assertRulePasses(objects, clusterEgressLockedOutsideGateway);
  });
});
