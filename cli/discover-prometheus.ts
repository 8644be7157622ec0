import type { PrometheusClient, VectorSample } from "./prometheus-client";
import type { Observation } from "./discover-observations";
import { splitHostPort } from "./discover-observations";

/**
 * What the sidecars' standard metrics say the cluster reaches without a registry entry: series towards
 * PassthroughCluster (ALLOW_ANY), whose `destination_service` carries the host (HTTP: the Host header).
 */

/** The two queries, over `since`: requests for HTTP, opened connections for TCP/TLS. */
export function discoverQueries(since: string): { http: string; tcp: string } {
  const selector = '{reporter="source",destination_service_name="PassthroughCluster"}';
  const by = "sum by (source_workload_namespace, destination_service)";
  return {
    http: `${by} (increase(istio_requests_total${selector}[${since}]))`,
    tcp: `${by} (increase(istio_tcp_connections_opened_total${selector}[${since}]))`,
  };
}

/** One observation per series; HTTP without a port in destination_service is port 80, TCP port 443. */
export function observationsFromSeries(
  samples: readonly VectorSample[],
  traffic: "http" | "tls",
): { observation: Observation; name: string }[] {
  return samples.flatMap((sample) => {
    const count = Math.round(sample.value);
    const service = sample.labels.destination_service ?? "";
    if (count <= 0 || service === "" || service === "unknown") return [];
    const { host, port } = splitHostPort(service);
    const tenant = sample.labels.source_workload_namespace;
    return [
      {
        name: host,
        observation: {
          host: host.toLowerCase(),
          port: port ?? (traffic === "http" ? 80 : 443),
          traffic,
          count,
          ...(tenant && tenant !== "unknown" ? { tenant } : {}),
        },
      },
    ];
  });
}

/** Both queries' observations. */
export async function queryPassthrough(
  client: Pick<PrometheusClient, "query">,
  since: string,
): Promise<{ observation: Observation; name: string }[]> {
  const queries = discoverQueries(since);
  const [http, tcp] = await Promise.all([client.query(queries.http), client.query(queries.tcp)]);
  return [...observationsFromSeries(http, "http"), ...observationsFromSeries(tcp, "tls")];
}
