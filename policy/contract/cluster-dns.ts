/** The cluster DNS port (UDP and TCP): tenants' locks allow it in-cluster, the cluster-wide lock to upstreams. */
export const DNS_PORT = 53;
