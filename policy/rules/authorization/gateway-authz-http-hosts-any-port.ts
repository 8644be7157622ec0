import { KIND, KubernetesObject } from "../../contract";
import { hostTraffic } from "../../mesh/mesh-queries";
import { MeshTopology } from "../../mesh/mesh-topology";
import { texts } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";
import { gatewayAuthzRules, stripPort } from "../../mesh/gateway-authorization";

export const gatewayAuthzHttpHostsAnyPort: StackRule = {
  name: "gateway-authz-http-hosts-any-port",
  description:
    "Every host an ALLOW rule at the egress gateway lists in to.operation.hosts is listed both bare and as " +
    "`<host>:*`. The match is exact on `:authority`, so a client sending `Host: api.openai.com:80` is denied by " +
    "a rule listing only `api.openai.com` (and granted only on some ports if a port is spelled out).",
  severity: "medium",
  concern: "authorization",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: "List each host twice in to.operation.hosts: `<host>` and `<host>:*`.",
  kinds: [KIND.AuthorizationPolicy],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const out: Violation[] = [];
    for (const rule of gatewayAuthzRules(objects, mesh)) {
      if (rule.action !== "ALLOW") continue;
      for (const operation of rule.operations) {
        const listed = new Set(texts(operation.hosts));
        // Only hosts the gateway sees as HTTP: TLS and unregistered hosts are other rules' findings.
        const bare = [...new Set([...listed].map(stripPort))].filter(
          (host) => hostTraffic(mesh, host) === "http",
        );
        const missing = bare.filter((host) => !listed.has(host) || !listed.has(`${host}:*`));
        if (missing.length === 0) continue;
        out.push(
          violation(
            rule.policy,
            `ALLOW rule ${rule.index} lists ${missing.join(", ")} without both the bare and the \`:*\` form, so requests whose Host carries a port (or none) are denied`,
            `list ${missing.map((h) => `${h} and ${h}:*`).join(", ")} in to.operation.hosts`,
          ),
        );
      }
    }
    return out;
  },
};
