import { HTTP_LOCAL_RATE_LIMIT, KIND, KubernetesObject } from "../../contract";
import { MeshTopology } from "../../mesh/mesh-topology";
import { dig, fieldsList, integer, namespaceOf, specOf } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";
import { gatewayFilters, addedFilters } from "../../mesh/rate-limit-filters";

/** The listener port an added filter's patch targets; undefined when it matches every port. */
function patchedPort(filter: KubernetesObject, index: number): number | undefined {
  const patch = fieldsList(specOf(filter).configPatches)[index];
  return integer(dig(patch, "match", "listener", "portNumber"));
}

export const httpRateLimitOneChainPerPort: StackRule = {
  name: "http-rate-limit-one-chain-per-port",
  description:
    "A port the egress gateway's HTTP local rate limit patches has at most one TLS-terminating HTTPS server. " +
    "Istio builds one filter chain per TLS-terminating server (pilot gateway.go) and Envoy's HTTP " +
    "local_ratelimit keeps its token buckets per chain (it has no share_key), so with one server per host " +
    "every tenant limit and the backstop are multiplied by the number of servers on the port.",
  severity: "high",
  concern: "envoy-filters",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Serve every HTTP host on the port from one Gateway server listing all of them (mesh-egress renders <release>-http).",
  kinds: [KIND.EnvoyFilter],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const terminating = mesh.servers.filter((s) => s.carriesHttp && s.protocol === "HTTPS");
    const out: Violation[] = [];
    for (const f of gatewayFilters(objects, mesh)) {
      for (const added of addedFilters(f, HTTP_LOCAL_RATE_LIMIT)) {
        const port = patchedPort(f, added.index);
        const onPort = terminating.filter((s) => port === undefined || s.port === port);
        const byPort = new Map<number | undefined, typeof onPort>();
        for (const s of onPort) byPort.set(s.port, [...(byPort.get(s.port) ?? []), s]);
        for (const [number, servers] of byPort) {
          if (servers.length < 2) continue;
          const names = servers.map(
            (s) =>
              `${namespaceOf(s.gateway) ?? ""}/${s.gateway.metadata.name}[${s.hosts.map((h) => h.host).join(",")}]`,
          );
          out.push(
            violation(
              f,
              `patch ${added.index} adds ${HTTP_LOCAL_RATE_LIMIT} on port ${number ?? "any"}, which has ${servers.length} TLS-terminating servers (${names.join("; ")}): each is its own filter chain with its own buckets, so every limit is multiplied by ${servers.length}`,
              "list every host of the port in one Gateway server, so the port has one filter chain and the buckets are the declared ones",
            ),
          );
        }
      }
    }
    return out;
  },
};
