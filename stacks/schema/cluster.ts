import { z } from "zod";
import { DEFAULT_CLUSTER_DOMAIN } from "../../policy/contract";
import { cidr } from "./hosts";
import { dns1123Label, labelMap } from "./values/kubernetes-values";
import { isClusterDnsAddress, nodeLocalDnsAddress } from "./values/node-local-dns";

/** Where the cluster-wide egress lock sits among AdminNetworkPolicies: early, leaving room for emergencies. */
const DEFAULT_LOCK_PRIORITY = 10;

export const clusterSchema = z
  .strictObject({
    /** The cluster's DNS domain (kubelet `--cluster-domain`): in-cluster Services are `<svc>.<ns>.svc.<domain>`. */
    domain: z
      .string()
      .regex(
        /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
        "must be a DNS domain such as cluster.local",
      )
      .default(DEFAULT_CLUSTER_DOMAIN),
    dns: z
      .strictObject({
        namespace: dns1123Label.default("kube-system"),
        podLabels: labelMap
          .refine((labels) => Object.keys(labels).length > 0, {
            message: "must name at least one label: an empty selector matches every pod in the namespace",
          })
          .default({ "k8s-app": "kube-dns" }),
        /** Where a host-network DNS cache answers (NodeLocal DNSCache: 169.254.20.10); allowed by ipBlock, port 53. */
        nodeLocalAddresses: z.array(nodeLocalDnsAddress).default([]),
      })
      .default({ namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" }, nodeLocalAddresses: [] }),
    /** Namespaces with open egress; tenants' in-cluster rule excludes them, as it excludes the platform's. */
    openEgressNamespaces: z.array(dns1123Label).default([]),
    /** Pod, service and node ranges outside the private ones; the gateway's NetworkPolicy excepts them too. */
    internalCidrs: z
      .array(
        // Normalised by `cidr`, so a whole family is exactly 0.0.0.0/0 or ::/0.
        cidr.refine((block) => !block.endsWith("/0"), {
          message: "is the whole address family: list the cluster's pod, service and node ranges",
        }),
      )
      .default([]),
    /**
     * An AdminNetworkPolicy denying egress outside the cluster from every namespace but the gateway's (and the
     * listed exemptions): `true`, or `{exempt, priority}`. Needs a CNI that implements policy.networking.k8s.io/v1alpha1.
     */
    lockAllNamespaces: z
      .union(
        [
          z.boolean(),
          z.strictObject({
            /** Namespaces that keep direct internet egress (e.g. cert-manager with an external ACME or Vault server). */
            exempt: z.array(dns1123Label).default([]),
            /** The AdminNetworkPolicy's priority: lower numbers are evaluated first; one step ahead stays free. */
            priority: z
              .number()
              .int()
              .min(1, {
                message:
                  "must be at least 1: the cluster DNS upstream pass and break-glass direct entries sit one priority ahead of the lock",
              })
              .max(1000)
              .default(DEFAULT_LOCK_PRIORITY),
          }),
        ],
        { error: "must be true, false, or {exempt: [namespace, ...], priority: 1-1000}" },
      )
      .default(false)
      .transform((lock) =>
        typeof lock === "boolean"
          ? { enabled: lock, exempt: [] as string[], priority: DEFAULT_LOCK_PRIORITY }
          : { enabled: true, exempt: lock.exempt, priority: lock.priority },
      ),
  })
  .superRefine((cluster, ctx) => {
    cluster.dns.nodeLocalAddresses.forEach((address, i) => {
      if (isClusterDnsAddress(address, cluster.internalCidrs)) return;
      ctx.addIssue({
        code: "custom",
        path: ["dns", "nodeLocalAddresses", i],
        message: `${address} is a public address: every tenant could send DNS straight out of the cluster to it; give the node-local cache's link-local address (e.g. 169.254.20.10) or the kube-dns Service IP, or add the cluster's public ranges to cluster.internalCidrs`,
      });
    });
  });
