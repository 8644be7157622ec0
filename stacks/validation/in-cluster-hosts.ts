/**
 * Why a host is inside the cluster's DNS domain (`cluster.domain`), or undefined. Cluster DNS answers
 * that zone itself, so such a host is an in-cluster name whatever the domain is called; the schema only
 * knows the default `cluster.local`.
 */
export function inClusterHostProblem(host: string, clusterDomain: string): string | undefined {
  const domain = clusterDomain.toLowerCase();
  if (host !== domain && !host.endsWith(`.${domain}`)) return undefined;
  return `"${host}" is in the cluster's DNS domain ${domain} (cluster.domain), an in-cluster name: only services outside the cluster belong in the egress registry`;
}
