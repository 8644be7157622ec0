import { CHART_KINDS, GATEWAY_SELECTOR, INTERNAL_RANGES, KIND, KubernetesObject } from "../contract";
import { internalRangesReached } from "./address-ranges";
import {
  ChartRelease,
  chartRelease,
  egressGatewayReleases,
  egressGatewayWorkloads,
  gatewaySelects,
  isEgressGatewayRelease,
  isIstiodChart,
  podTemplate,
} from "./mesh-object-readers";
import { externalHosts, isGatewayRef, isGatewayServiceHost } from "./mesh-queries";
import { MeshTopology } from "./mesh-topology";
import { egressReach, restrictsEgress } from "./network-policies";
import {
  dig,
  Fields,
  fields,
  fieldsList,
  integer,
  isEmptyLabelSelector,
  isKind,
  list,
  nameOf,
  namespaceOf,
  ofKind,
  selectorMatches,
  specOf,
  splitNamespacedHost,
  stringMap,
  text,
  texts,
} from "./object-fields";
import { ResourceRule, StackRule, Violation, violation } from "./rule";

export const MIN_GATEWAY_REPLICAS = 3;
const ZONE_KEYS = new Set(["topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone"]);
const HA_KINDS = [...CHART_KINDS, KIND.Deployment];

/**
 * Where the gateway's availability settings can be read: the rendered Deployment (CrossGuard sees the
 * helm.v4.Chart's children at preview), else the chart values of a HelmRelease or Chart.
 */
type HaEvidence =
  | {
      readonly source: "rendered";
      readonly workload: KubernetesObject;
      readonly podLabels: Record<string, string>;
    }
  | { readonly source: "values"; readonly release: ChartRelease };

function haEvidence(objects: readonly KubernetesObject[], mesh: MeshTopology): HaEvidence[] {
  const inPlatform = (ns: string | undefined): boolean =>
    !mesh.gatewayNamespace || ns === mesh.gatewayNamespace;
  const rendered = egressGatewayWorkloads(objects).filter(
    (w) => isKind(w, KIND.Deployment) && inPlatform(namespaceOf(w)),
  );
  if (rendered.length > 0) {
    return rendered.map((workload) => ({
      source: "rendered",
      workload,
      podLabels: stringMap(podTemplate(workload)?.metadata.labels),
    }));
  }
  return egressGatewayReleases(objects)
    .filter((r) => inPlatform(r.namespace) && text(r.values.kind) !== "DaemonSet")
    .map((release) => ({ source: "values", release }));
}

function evidenceObject(e: HaEvidence): KubernetesObject {
  return e.source === "rendered" ? e.workload : e.release.object;
}

export const gatewayHaMinReplicas: StackRule = {
  name: "gateway-ha-min-replicas",
  description:
    `The egress gateway is autoscaled by a HorizontalPodAutoscaler from at least ${MIN_GATEWAY_REPLICAS} replicas. ` +
    "All egress of the cluster goes through it: one replica is a single point of failure, and a fixed count " +
    "cannot follow load.",
  severity: "medium",
  concern: "gateway-integrity",
  defaultEnforcement: "mandatory",
  availability: true,
  remediation: `Enable the chart's autoscaling with minReplicas >= ${MIN_GATEWAY_REPLICAS}.`,
  kinds: HA_KINDS,
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const out: Violation[] = [];
    const fix = `enable autoscaling (values.autoscaling.enabled: true) with minReplicas >= ${MIN_GATEWAY_REPLICAS}`;
    for (const e of haEvidence(objects, mesh)) {
      let enabled: boolean;
      let min: number;
      let max: number | undefined;
      if (e.source === "rendered") {
        const hpa = ofKind(objects, KIND.HorizontalPodAutoscaler).find(
          (h) =>
            namespaceOf(h) === namespaceOf(e.workload) &&
            text(dig(h.spec, "scaleTargetRef", "kind")) === e.workload.kind &&
            text(dig(h.spec, "scaleTargetRef", "name")) === nameOf(e.workload),
        );
        enabled = hpa !== undefined;
        min = integer(dig(hpa?.spec, "minReplicas")) ?? 1;
        max = integer(dig(hpa?.spec, "maxReplicas"));
      } else {
        const autoscaling = fields(e.release.values.autoscaling);
        enabled = autoscaling.enabled !== false;
        // The chart's defaults: autoscaling on, from 1 to 5 replicas.
        min = integer(autoscaling.minReplicas) ?? 1;
        max = integer(autoscaling.maxReplicas) ?? 5;
      }
      const subject = evidenceObject(e);
      if (!enabled) {
        out.push(violation(subject, "the egress gateway has no HorizontalPodAutoscaler", fix));
      } else if (min < MIN_GATEWAY_REPLICAS) {
        out.push(
          violation(
            subject,
            `the egress gateway scales from ${min} replica(s), fewer than ${MIN_GATEWAY_REPLICAS}`,
            fix,
          ),
        );
      } else if (max !== undefined && max < min) {
        out.push(
          violation(subject, `the egress gateway's maxReplicas ${max} is below its minReplicas ${min}`, fix),
        );
      }
    }
    return out;
  },
};

function budgetProtects(budget: Fields): boolean {
  const minAvailable = budget.minAvailable;
  const maxUnavailable = budget.maxUnavailable;
  if (minAvailable !== undefined) return String(minAvailable) !== "0" && String(minAvailable) !== "0%";
  if (maxUnavailable !== undefined) return String(maxUnavailable) !== "100%";
  return false;
}

export const gatewayHaDisruptionBudget: StackRule = {
  name: "gateway-ha-disruption-budget",
  description:
    "A PodDisruptionBudget keeps egress gateway replicas running through node drains and upgrades; without one " +
    "a voluntary disruption can evict every replica at once and cut all egress.",
  severity: "medium",
  concern: "gateway-integrity",
  defaultEnforcement: "mandatory",
  availability: true,
  remediation: "Set the chart's podDisruptionBudget (e.g. minAvailable: 2).",
  kinds: HA_KINDS,
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const out: Violation[] = [];
    for (const e of haEvidence(objects, mesh)) {
      let protectedByBudget: boolean;
      if (e.source === "rendered") {
        protectedByBudget = ofKind(objects, KIND.PodDisruptionBudget).some(
          (b) =>
            namespaceOf(b) === namespaceOf(e.workload) &&
            selectorMatches(dig(b.spec, "selector"), e.podLabels) &&
            budgetProtects(specOf(b)),
        );
      } else {
        protectedByBudget = budgetProtects(fields(e.release.values.podDisruptionBudget));
      }
      if (!protectedByBudget) {
        out.push(
          violation(
            evidenceObject(e),
            "no PodDisruptionBudget keeps egress gateway replicas up during voluntary disruptions",
            "set values.podDisruptionBudget.minAvailable (at least 1, e.g. 2)",
          ),
        );
      }
    }
    return out;
  },
};

function spreadsOverZones(podSpec: Fields): boolean {
  const spread = fieldsList(podSpec.topologySpreadConstraints).some((c) =>
    ZONE_KEYS.has(text(c.topologyKey) ?? ""),
  );
  const antiAffinity = fields(dig(podSpec, "affinity", "podAntiAffinity"));
  const required = fieldsList(antiAffinity.requiredDuringSchedulingIgnoredDuringExecution);
  const preferred = fieldsList(antiAffinity.preferredDuringSchedulingIgnoredDuringExecution).map((p) =>
    fields(p.podAffinityTerm),
  );
  return spread || [...required, ...preferred].some((t) => ZONE_KEYS.has(text(t.topologyKey) ?? ""));
}

export const gatewayHaZoneSpread: StackRule = {
  name: "gateway-ha-zone-spread",
  description:
    "Egress gateway replicas are spread across zones (a topologySpreadConstraint or pod anti-affinity on " +
    "topology.kubernetes.io/zone), so losing one zone does not take all egress down with it.",
  severity: "medium",
  concern: "gateway-integrity",
  defaultEnforcement: "mandatory",
  availability: true,
  remediation:
    "Add a topologySpreadConstraint with topologyKey topology.kubernetes.io/zone to the chart values.",
  kinds: HA_KINDS,
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const out: Violation[] = [];
    for (const e of haEvidence(objects, mesh)) {
      const podSpec = e.source === "rendered" ? fields(podTemplate(e.workload)?.spec) : e.release.values;
      if (!spreadsOverZones(podSpec)) {
        out.push(
          violation(
            evidenceObject(e),
            "egress gateway replicas are not spread across zones",
            "add values.topologySpreadConstraints with topologyKey topology.kubernetes.io/zone and labelSelector istio: egressgateway",
          ),
        );
      }
    }
    return out;
  },
};

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

export const gatewayEgressExcludesInternalRanges: StackRule = {
  name: "gateway-egress-excludes-internal-ranges",
  description:
    "A NetworkPolicy restricts the egress gateway's own egress, and every ipBlock it allows excepts the " +
    `private, shared, loopback and link-local ranges (${INTERNAL_RANGES.join(", ")}). A registered name that ` +
    "resolves to an internal address (DNS rebinding) or to the cloud metadata endpoint then stays unreachable.",
  severity: "critical",
  concern: "gateway-integrity",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: `Allow 0.0.0.0/0 and ::/0 only with except: ${INTERNAL_RANGES.join(", ")} (per family).`,
  kinds: [KIND.Namespace, KIND.NetworkPolicy, ...CHART_KINDS, KIND.Deployment, KIND.Gateway],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const ns = mesh.gatewayNamespace;
    if (ns === undefined) return [];
    const out: Violation[] = [];
    const exceptFix = `except ${INTERNAL_RANGES.join(", ")} in the ipBlocks (IPv4 ranges on IPv4 blocks, IPv6 on IPv6)`;
    const policies = ofKind(objects, KIND.NetworkPolicy).filter((p) => {
      const selector = specOf(p).podSelector;
      return (
        namespaceOf(p) === ns &&
        restrictsEgress(p) &&
        (isEmptyLabelSelector(selector) || selectorMatches(selector, mesh.gatewayLabels))
      );
    });
    if (policies.length === 0) {
      out.push(
        violation(
          { kind: "Namespace", name: ns },
          "no NetworkPolicy restricts the egress gateway's egress, so it can reach private ranges and the cloud metadata endpoint",
          `add a NetworkPolicy selecting the gateway with policyTypes [Egress] allowing DNS, istiod and 0.0.0.0/0 + ::/0 ${exceptFix}`,
        ),
      );
    }
    for (const policy of policies) {
      for (const reach of egressReach(policy)) {
        const { index } = reach.rule;
        if (reach.kind === "anywhere") {
          out.push(
            violation(
              policy,
              `egress rule ${index} has no "to" peers, so the gateway may reach every address, internal ranges included`,
              `replace it with ipBlocks 0.0.0.0/0 and ::/0 that ${exceptFix}`,
            ),
          );
        } else if (reach.kind === "invalid-cidr") {
          out.push(
            violation(
              policy,
              `egress rule ${index} has an ipBlock "${reach.block.cidr}" that is not a CIDR`,
              "fix the CIDR",
            ),
          );
        } else {
          const reached = internalRangesReached(reach.ranges);
          if (reached.length > 0) {
            out.push(
              violation(
                policy,
                `egress rule ${index} ipBlock ${reach.block.cidr} lets the gateway reach internal ranges ${reached.join(", ")}`,
                `add ${reached.join(", ")} to the ipBlock's except list`,
              ),
            );
          }
        }
      }
    }
    for (const release of egressGatewayReleases(objects)) {
      if (release.namespace !== ns) continue;
      if (dig(release.values, "global", "networkPolicy", "enabled") === true) {
        out.push(
          violation(
            release.object,
            "enables the chart's own NetworkPolicy, which allows all egress; NetworkPolicies add up, so it cancels the platform's",
            "remove values.global.networkPolicy.enabled and keep the platform's NetworkPolicy",
          ),
        );
      }
    }
    return out;
  },
};

export const gatewaySelectorOnlyInPlatformNamespace: StackRule = {
  name: "gateway-selector-only-in-platform-namespace",
  description:
    "Only the platform namespace holds Gateways that select the egress gateway's pods. A Gateway in any other " +
    "namespace can attach its own servers to the shared egress pods (gateway hijack) unless istiod scopes " +
    "gateways to their namespace.",
  severity: "critical",
  concern: "gateway-integrity",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Move the Gateway into the platform namespace (or delete it); declare external services through the platform.",
  kinds: [KIND.Gateway],
  scope: "stack",
  check(_objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const ns = mesh.gatewayNamespace;
    if (ns === undefined) return [];
    return mesh.egressGateways
      .filter((g) => namespaceOf(g) !== ns)
      .map((g) =>
        violation(
          g,
          `selects the egress gateway's pods from namespace ${namespaceOf(g) ?? "default"}, outside the platform namespace ${ns}`,
          `declare the service through the platform so its Gateway lives in ${ns}, and delete this one`,
        ),
      );
  },
};

export const gatewayServerHostsNamespaceQualified: ResourceRule = {
  name: "gateway-server-hosts-namespace-qualified",
  description:
    "Every server host of an egress Gateway is namespace-qualified (`<namespace>/<host>`) and names one host: " +
    "never `*`, `*/…` or a wildcard domain. Unqualified hosts let a VirtualService in any namespace bind to " +
    "the egress gateway and route through it.",
  severity: "high",
  concern: "gateway-integrity",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: "Write each host as <platform-namespace>/<exact host>.",
  kinds: [KIND.Gateway],
  scope: "resource",
  check(gateway: KubernetesObject): Violation[] {
    if (!gatewaySelects(gateway, GATEWAY_SELECTOR)) return [];
    const out: Violation[] = [];
    const fix = `write it as ${namespaceOf(gateway) ?? "<platform-namespace>"}/<exact host>`;
    for (const server of fieldsList(specOf(gateway).servers)) {
      for (const entry of texts(server.hosts)) {
        const { namespace, host } = splitNamespacedHost(entry);
        if (host.includes("*")) {
          out.push(violation(gateway, `server host "${entry}" is a wildcard`, fix));
        } else if (namespace === undefined) {
          out.push(
            violation(
              gateway,
              `server host "${entry}" is not namespace-qualified, so any namespace may bind to it`,
              fix,
            ),
          );
        } else if (namespace === "*") {
          out.push(violation(gateway, `server host "${entry}" lets any namespace bind to it`, fix));
        }
      }
      if (list(server.hosts).length === 0) {
        out.push(violation(gateway, "has a server without hosts", fix));
      }
    }
    return out;
  },
};

export const controlPlaneScopesGateways: ResourceRule = {
  name: "control-plane-scopes-gateways",
  description:
    "When the stack installs istiod, it runs with `PILOT_SCOPE_GATEWAY_TO_NAMESPACE=true`, so a Gateway " +
    "only programs gateway pods in its own namespace. Without it a Gateway written in any namespace can " +
    "attach servers to the shared egress gateway (gateway hijack).",
  severity: "high",
  concern: "gateway-integrity",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: 'Set values.env.PILOT_SCOPE_GATEWAY_TO_NAMESPACE: "true" on the istiod release.',
  kinds: [...CHART_KINDS],
  scope: "resource",
  check(object: KubernetesObject): Violation[] {
    const release = chartRelease(object);
    if (!release || !isIstiodChart(release.chart)) return [];
    const value =
      dig(release.values, "env", "PILOT_SCOPE_GATEWAY_TO_NAMESPACE") ??
      dig(release.values, "pilot", "env", "PILOT_SCOPE_GATEWAY_TO_NAMESPACE");
    if (String(value) === "true") return [];
    return [
      violation(
        object,
        `istiod runs without PILOT_SCOPE_GATEWAY_TO_NAMESPACE=true (${value === undefined ? "unset" : `set to ${String(value)}`}), so a Gateway in any namespace can program the egress gateway`,
        'set values.env.PILOT_SCOPE_GATEWAY_TO_NAMESPACE to "true"',
      ),
    ];
  },
};

export const meshRoutesExternalHostsViaGateway: StackRule = {
  name: "mesh-routes-external-hosts-via-gateway",
  description:
    "No VirtualService sends sidecar traffic straight to an external host: a route that applies to the mesh " +
    "(sidecars) and whose destination is a MESH_EXTERNAL host bypasses the egress gateway, its " +
    "authorization and its access log. Sidecars route external hosts to the gateway's Service.",
  severity: "high",
  concern: "gateway-integrity",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Route the host to the egress gateway's Service from the mesh; only routes bound to the egress Gateway go to the host.",
  kinds: [KIND.VirtualService],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const external = externalHosts(objects);
    const out: Violation[] = [];
    for (const route of mesh.routes) {
      if (!route.gateways.includes("mesh")) continue;
      const direct = route.destinations
        .map((d) => d.host)
        .filter((h) => external.has(h) && !isGatewayServiceHost(mesh, h, namespaceOf(route.virtualService)));
      for (const host of new Set(direct)) {
        out.push(
          violation(
            route.virtualService,
            `a ${route.protocol} route for sidecars (gateway "mesh") sends traffic straight to external host ${host}, around the egress gateway`,
            "send the mesh route to the egress gateway's Service (with its subset), and bind only the onward route to the egress Gateway",
          ),
        );
      }
    }
    return out;
  },
};

export const gatewayRoutesToDeclaredHost: StackRule = {
  name: "gateway-routes-to-declared-host",
  description:
    "A route bound to the egress Gateway sends traffic only to the host it was declared for (one of its " +
    "VirtualService's hosts). Authorization, SNI and logs name that host; a route that forwards it to another " +
    "destination (another site, or a Service inside the cluster) turns an approved path into a different one.",
  severity: "high",
  concern: "gateway-integrity",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: "Route each host's gateway-side traffic to that same host.",
  kinds: [KIND.VirtualService],
  scope: "stack",
  check(_objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const out: Violation[] = [];
    for (const route of mesh.routes) {
      if (!route.gateways.some((g) => isGatewayRef(mesh, g))) continue;
      for (const host of new Set(route.destinations.map((d) => d.host))) {
        if (host === "" || route.hosts.includes(host)) continue;
        out.push(
          violation(
            route.virtualService,
            `a ${route.protocol} route bound to the egress Gateway sends ${route.hosts.join(", ")} traffic to ${host}, which is not the host it was declared and authorized for`,
            `route the gateway-side traffic to ${route.hosts.join(" or ")} itself`,
          ),
        );
      }
    }
    return out;
  },
};

export const gatewayIntegrityRules = [
  gatewayHaMinReplicas,
  gatewayHaDisruptionBudget,
  gatewayHaZoneSpread,
  gatewayServiceClusterIp,
  gatewayEgressExcludesInternalRanges,
  gatewaySelectorOnlyInPlatformNamespace,
  gatewayServerHostsNamespaceQualified,
  controlPlaneScopesGateways,
  meshRoutesExternalHostsViaGateway,
  gatewayRoutesToDeclaredHost,
];
