/** Whether a host names something inside the cluster: a short name, `*.svc`, or under the cluster domain. */
export function isInClusterHost(host: string, clusterDomain: string): boolean {
  return (
    !host.includes(".") ||
    host.endsWith(".svc") ||
    host.endsWith(`.svc.${clusterDomain}`) ||
    host.endsWith(`.${clusterDomain}`)
  );
}
