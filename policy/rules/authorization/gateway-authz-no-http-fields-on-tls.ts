import { KIND, KubernetesObject } from "../../contract";
import { hostTraffic } from "../../mesh/mesh-queries";
import { MeshTopology } from "../../mesh/mesh-topology";
import { integer, text, texts } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";
import { gatewayAuthzRules, stripPort, sniValues } from "../../mesh/gateway-authorization";

const HTTP_OPERATION_FIELDS = ["hosts", "notHosts", "methods", "notMethods", "paths", "notPaths"];

export const gatewayAuthzNoHttpFieldsOnTls: StackRule = {
  name: "gateway-authz-no-http-fields-on-tls",
  description:
    "AuthorizationPolicy rules at the egress gateway use no HTTP-only fields (to.operation hosts, notHosts, " +
    "methods, paths; request.* conditions) for traffic the gateway only sees as TLS or TCP: a passthrough " +
    "server, a TLS-protocol server, a ServiceEntry with only TLS/HTTPS/TCP ports, or a rule keyed on " +
    "connection.sni. On TCP traffic Istio drops an ALLOW rule that uses them (silently denying) and strips " +
    "them from a DENY rule (silently denying more). TLS traffic is authorized by connection.sni and port.",
  severity: "high",
  concern: "authorization",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "For TLS destinations use when: [{key: connection.sni, values: [<host>]}] and to.operation.ports.",
  kinds: [KIND.AuthorizationPolicy],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const out: Violation[] = [];
    for (const rule of gatewayAuthzRules(objects, mesh)) {
      if (rule.action !== "ALLOW" && rule.action !== "DENY") continue;
      const httpFields = new Set<string>();
      for (const op of rule.operations)
        HTTP_OPERATION_FIELDS.filter((f) => texts(op[f]).length > 0).forEach((f) =>
          httpFields.add(`to.operation.${f}`),
        );
      rule.when
        .map((w) => text(w.key) ?? "")
        .filter((k) => k.startsWith("request."))
        .forEach((k) => httpFields.add(`when ${k}`));
      if (httpFields.size === 0) continue;
      const ports = rule.operations
        .flatMap((op) => texts(op.ports))
        .map(integer)
        .filter((p): p is number => p !== undefined);
      const hosts = rule.operations
        .flatMap((op) => texts(op.hosts).concat(texts(op.notHosts)))
        .map(stripPort);
      let reason: string | undefined;
      if (sniValues(rule).length > 0) {
        reason = "the same rule matches connection.sni, so the traffic is TLS";
      } else {
        const opaque = hosts.filter((h) => hostTraffic(mesh, h, ports) === "opaque");
        if (opaque.length > 0) {
          reason = `${opaque.join(", ")} reaches the gateway as TLS/TCP (passthrough or TLS server, or only TLS ports)`;
        } else if (
          hosts.length === 0 &&
          mesh.servers.length > 0 &&
          !mesh.servers.some((s) => s.carriesHttp)
        ) {
          reason = "the egress gateway serves no HTTP at all";
        }
      }
      if (reason === undefined) continue;
      const effect =
        rule.action === "ALLOW"
          ? "Istio drops this ALLOW rule on TCP traffic, so the traffic is silently denied"
          : "Istio ignores these fields on TCP traffic, so this DENY rule silently denies more than written";
      out.push(
        violation(
          rule.policy,
          `${rule.action} rule ${rule.index} uses HTTP-only ${[...httpFields].join(", ")} but ${reason}; ${effect}`,
          "match TLS traffic with when: [{key: connection.sni, values: [<host>]}] and to.operation.ports instead",
        ),
      );
    }
    return out;
  },
};
