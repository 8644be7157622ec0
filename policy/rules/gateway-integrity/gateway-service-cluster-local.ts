import { CHART_KINDS, KubernetesObject } from "../../contract";
import {
  chartRelease,
  ChartRelease,
  egressGatewayReleases,
  isIstiodChart,
} from "../../mesh/mesh-object-readers";
import { MeshTopology } from "../../mesh/mesh-topology";
import { dig, fieldsList, texts } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";

/**
 * The fully qualified names of the egress gateway's Services, as istiod's serviceSettings match them:
 * the gateway chart releases' names (the chart names its Service after the release), else the names
 * the topology knows.
 */
function gatewayServiceHosts(mesh: MeshTopology): string[] {
  const ns = mesh.gatewayNamespace;
  if (!ns) return [];
  const releases = egressGatewayReleases(mesh.objects)
    .filter((r) => r.namespace === ns)
    .map((r) => r.releaseName);
  const names = releases.length > 0 ? releases : [...mesh.gatewayServiceNames];
  return [...new Set(names)].map((name) => `${name}.${ns}.svc.${mesh.clusterDomain}`);
}

/** Whether istiod's mesh config marks `host` cluster-local (an exact host, `*.<ns>.svc.cluster.local` or `*`). */
function markedClusterLocal(release: ChartRelease, host: string): boolean {
  const suffix = host.slice(host.indexOf("."));
  return fieldsList(dig(release.values, "meshConfig", "serviceSettings")).some(
    (entry) =>
      dig(entry, "settings", "clusterLocal") === true &&
      texts(entry.hosts).some((h) => h === host || h === "*" || h === `*${suffix}`),
  );
}

export const gatewayServiceClusterLocal: StackRule = {
  name: "gateway-service-cluster-local",
  description:
    "When the stack installs istiod, its mesh config marks the egress gateway's Service cluster-local " +
    "(`serviceSettings` with `clusterLocal: true`). In a multi-cluster mesh, same-named Services merge " +
    "their endpoints across clusters, so a tenant's traffic could otherwise leave through another " +
    "cluster's gateway, its NetworkPolicy, authorization and access log.",
  severity: "high",
  concern: "gateway-integrity",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Add values.meshConfig.serviceSettings: [{settings: {clusterLocal: true}, hosts: [<gateway Service FQDN>]}] to the istiod release.",
  kinds: [...CHART_KINDS],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const hosts = gatewayServiceHosts(mesh);
    const out: Violation[] = [];
    for (const release of objects.map(chartRelease)) {
      if (!release || !isIstiodChart(release.chart)) continue;
      const open = hosts.filter((host) => !markedClusterLocal(release, host));
      if (open.length === 0) continue;
      out.push(
        violation(
          release.object,
          `istiod does not mark the egress gateway Service ${open.join(", ")} cluster-local, so in a multi-cluster mesh sidecars may send egress to another cluster's gateway`,
          `add values.meshConfig.serviceSettings: [{settings: {clusterLocal: true}, hosts: [${open.map((h) => `"${h}"`).join(", ")}]}]`,
        ),
      );
    }
    return out;
  },
};
