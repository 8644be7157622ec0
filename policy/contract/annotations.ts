/**
 * On an origination DestinationRule whose server roots live in an existing Secret (caBundle.secretRef):
 * that Secret's name. The stack does not manage it, so the policy pack takes this as the declaration.
 */
export const SERVER_ROOTS_SECRET_ANNOTATION = "mesh-egress.io/server-roots-secret";

/** On a Secret rendered without its key material: the keys `pulumi up` fills from Pulumi secrets. */
export const PULUMI_SECRET_KEYS_ANNOTATION = "mesh-egress.io/pulumi-secret-keys";
/** On the same Secret: the config path (`mesh-egress:issuers[0].ca.privateKey`) each key comes from. */
export const PULUMI_SECRET_SOURCE_ANNOTATION = "mesh-egress.io/pulumi-secret-source";

/**
 * On a ServiceEntry whose hosts are pinned to addresses (`pinnedAddresses`): those addresses, comma-separated.
 * The pack checks the entry resolves STATIC to exactly them, so the gateway never asks DNS.
 */
export const PINNED_ADDRESSES_ANNOTATION = "mesh-egress.io/pinned-addresses";

/**
 * On the gateway's Namespace: the cluster's own pod, service and node ranges beyond the shared internal list
 * (`cluster.internalCidrs`), comma-separated. The pack cannot read stack config; it reads them here.
 */
export const CLUSTER_INTERNAL_CIDRS_ANNOTATION = "mesh-egress.io/cluster-internal-cidrs";

/**
 * On the gateway's Namespace: the node-local DNS cache addresses (`cluster.dns.nodeLocalAddresses`) as host CIDRs,
 * comma-separated. The gateway reaches them by ipBlock on port 53 only; the pack accepts exactly these.
 */
export const NODE_LOCAL_DNS_ANNOTATION = "mesh-egress.io/node-local-dns";

/**
 * On the gateway's Namespace when the stack locks every namespace's egress (`cluster.lockAllNamespaces`):
 * the namespaces exempt besides the gateway's, comma-separated (empty: none). Absent: no lock requested.
 */
export const LOCK_ALL_NAMESPACES_ANNOTATION = "mesh-egress.io/lock-all-namespaces-exempt";
