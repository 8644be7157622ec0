import { CHART_KINDS, GATEWAY_SELECTOR, KIND, KubernetesObject } from "../../contract";
import { chartRelease, isEgressGatewayRelease } from "../../mesh/mesh-object-readers";
import { fields, isKind, selectorMatches, specOf, stringMap, text, texts } from "../../mesh/object-fields";
import { ResourceRule, Violation, violation } from "../../engine/rule";

/** Gateway integrity, exposure: what can reach the gateway from outside, and what the gateway can reach inside. */

export const gatewayServiceClusterIp: ResourceRule = {
  name: "gateway-service-cluster-ip",
  description:
    "The egress gateway's Service is ClusterIP, with no external IPs. The istio/gateway chart defaults to " +
    "LoadBalancer, which would publish the cluster's way out to the network as an open proxy.",
  severity: "critical",
  concern: "gateway-integrity",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: "Set the chart's service.type to ClusterIP.",
  kinds: [...CHART_KINDS, KIND.Service],
  scope: "resource",
  check(object: KubernetesObject): Violation[] {
    let type: string;
    let externalIps: string[];
    let fix: string;
    if (isKind(object, KIND.Service)) {
      if (!selectorMatches(GATEWAY_SELECTOR, stringMap(specOf(object).selector))) return [];
      type = text(specOf(object).type) ?? "ClusterIP";
      externalIps = texts(specOf(object).externalIPs);
      fix = "set spec.type to ClusterIP and remove spec.externalIPs";
    } else {
      const release = chartRelease(object);
      if (!release || !isEgressGatewayRelease(release)) return [];
      const service = fields(release.values.service);
      type = text(service.type) ?? "LoadBalancer";
      externalIps = texts(service.externalIPs);
      fix =
        "set values.service.type to ClusterIP (the chart defaults to LoadBalancer) and remove values.service.externalIPs";
    }
    const out: Violation[] = [];
    if (type !== "ClusterIP") {
      out.push(
        violation(
          object,
          `exposes the egress gateway as a ${type} Service, reachable from outside the cluster`,
          fix,
        ),
      );
    }
    if (externalIps.length > 0) {
      out.push(violation(object, `gives the egress gateway external IPs ${externalIps.join(", ")}`, fix));
    }
    return out;
  },
};
