import { COMPONENT_LABEL, DNS_PORT, NAMESPACE_NAME_LABEL } from "../policy/contract";
import { hostCidr } from "../stacks/schema/values/pinned-addresses";
import type { EgressConfig } from "../stacks/model/egress-config";
import { clusterInternalRanges } from "../stacks/schema/values/internal-ranges";
import { KubernetesObject, ownedLabels } from "./kubernetes-object";

/** The AdminNetworkPolicy's name: cluster-scoped, one per cluster. */
export const CLUSTER_EGRESS_LOCK_NAME = "mesh-egress-lock-all-namespaces";

/** The CRD caps `networks` at 25 CIDRs per peer; more ranges go in more peers. */
const MAX_NETWORKS_PER_PEER = 25;

function networkPeers(cidrs: readonly string[]): Record<string, unknown>[] {
  const peers: Record<string, unknown>[] = [];
  for (let i = 0; i < cidrs.length; i += MAX_NETWORKS_PER_PEER) {
    peers.push({ networks: cidrs.slice(i, i + MAX_NETWORKS_PER_PEER) });
  }
  return peers;
}

/**
 * One AdminNetworkPolicy (policy.networking.k8s.io/v1alpha1) that denies egress outside the cluster from
 * every namespace but the gateway's and the declared exemptions. ANP rules are evaluated before any
 * NetworkPolicy, so no namespace's own policy can allow the internet back. Traffic to pods and to the
 * internal ranges is passed to NetworkPolicies first: a `networks` peer matches pod IPs too.
 */
export function buildClusterEgressLockManifests(config: EgressConfig): KubernetesObject[] {
  const lock = config.cluster.lockAllNamespaces;
  if (!lock.enabled) return [];
  const internal = clusterInternalRanges(config);
  return [
    {
      apiVersion: "policy.networking.k8s.io/v1alpha1",
      kind: "AdminNetworkPolicy",
      metadata: {
        name: CLUSTER_EGRESS_LOCK_NAME,
        labels: ownedLabels({ [COMPONENT_LABEL]: "cluster-egress-lock" }),
      },
      spec: {
        priority: lock.priority,
        subject: {
          namespaces: {
            matchExpressions: [
              {
                key: NAMESPACE_NAME_LABEL,
                operator: "NotIn",
                values: [config.gateway.namespace, ...lock.exempt],
              },
            ],
          },
        },
        egress: [
          // A host-network DNS cache is no pod: its addresses are passed by network, port 53 only.
          ...(config.cluster.dns.nodeLocalAddresses.length > 0
            ? [
                {
                  name: "node-local-dns-keeps-its-network-policies",
                  action: "Pass",
                  to: [{ networks: config.cluster.dns.nodeLocalAddresses.map(hostCidr) }],
                  ports: [
                    { portNumber: { protocol: "UDP", port: DNS_PORT } },
                    { portNumber: { protocol: "TCP", port: DNS_PORT } },
                  ],
                },
              ]
            : []),
          { name: "pods-keep-their-network-policies", action: "Pass", to: [{ namespaces: {} }] },
          {
            name: "internal-ranges-keep-their-network-policies",
            action: "Pass",
            to: networkPeers([...internal.ipv4, ...internal.ipv6]),
          },
          {
            name: "deny-outside-the-cluster",
            action: "Deny",
            to: [{ networks: ["0.0.0.0/0", "::/0"] }],
          },
        ],
      },
    },
    dnsUpstreamPass(config),
  ];
}

/** The ANP passing the cluster DNS pods' upstream queries, one priority ahead of the lock. */
export const DNS_UPSTREAM_PASS_NAME = "mesh-egress-lock-dns-upstream";

/** What a pass ahead of the lock opens: public addresses, on these ports only. */
export interface LockPass {
  readonly metadata: KubernetesObject["metadata"];
  /** An ANP subject: `{namespaces: …}` or `{pods: …}`. */
  readonly subject: Record<string, unknown>;
  readonly ruleName: string;
  readonly ports: readonly { readonly protocol: "TCP" | "UDP"; readonly port: number }[];
}

/**
 * An AdminNetworkPolicy one priority ahead of the lock that passes the subject's public egress on the given
 * ports back to its NetworkPolicies (the lock's Deny would otherwise win). The schema keeps the lock's
 * priority at 1 or more, so one step ahead always exists.
 */
export function passAheadOfLock(config: EgressConfig, pass: LockPass): KubernetesObject {
  return {
    apiVersion: "policy.networking.k8s.io/v1alpha1",
    kind: "AdminNetworkPolicy",
    metadata: pass.metadata,
    spec: {
      priority: config.cluster.lockAllNamespaces.priority - 1,
      subject: pass.subject,
      egress: [
        {
          name: pass.ruleName,
          action: "Pass",
          to: [{ networks: ["0.0.0.0/0", "::/0"] }],
          ports: pass.ports.map(({ protocol, port }) => ({ portNumber: { protocol, port } })),
        },
      ],
    },
  };
}

/**
 * The cluster DNS forwards what it cannot answer to an upstream resolver, which on some clouds is a
 * public address (AKS: 168.63.129.16): the lock's Deny would cut name resolution for the whole cluster.
 * Only the DNS pods, only port 53, are passed back to their namespace's NetworkPolicies.
 */
function dnsUpstreamPass(config: EgressConfig): KubernetesObject {
  const { dns } = config.cluster;
  return passAheadOfLock(config, {
    metadata: {
      name: DNS_UPSTREAM_PASS_NAME,
      labels: ownedLabels({ [COMPONENT_LABEL]: "cluster-egress-lock" }),
    },
    subject: {
      pods: {
        namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: dns.namespace } },
        podSelector: { matchLabels: { ...dns.podLabels } },
      },
    },
    ruleName: "dns-upstream-keeps-its-network-policies",
    ports: [
      { protocol: "UDP", port: DNS_PORT },
      { protocol: "TCP", port: DNS_PORT },
    ],
  });
}
