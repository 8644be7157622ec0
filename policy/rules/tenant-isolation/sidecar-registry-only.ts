import { clusterEgressLockedOutsideGateway } from "./cluster-egress-locked-outside-gateway";
import { cniPolicyNoInternetEgress } from "./cni-policy-no-internet-egress";
import { tenantRoutingExportedToOwnNamespace } from "./tenant-routing-exported-to-own-namespace";
import { knownRevisions, runsRevision, tenantPodIstioKnobsAllowed } from "./tenant-pod-istio-knobs-allowed";
import {
  proxyIdentityOnlyForInjectedContainers,
  tenantPodsWithinBaseline,
} from "./proxy-identity-only-for-injected-containers";
import { KIND, KubernetesObject, TENANT_OPENABLE_RANGES, WORKLOAD_KINDS } from "../../contract";
import { ipBlockRanges, reachesBeyondTenantOpenable } from "../../mesh/address-ranges";
import { declaredClusterRanges } from "../../mesh/cluster-ranges";
import { isBreakGlassObject } from "../break-glass/break-glass-expiry-valid";
import { serviceNotExternalAlias } from "./service-not-external-alias";
import { sidecarInterceptionNotNarrowed } from "./sidecar-interception-not-narrowed";
import { declaredNamespaces } from "../../mesh/mesh-queries";
import { MeshTopology } from "../../mesh/mesh-topology";
import {
  EgressRule,
  egressReach,
  egressRules,
  ipBlockOf,
  restrictsEgress,
} from "../../mesh/network-policies";
import { namespacesNamedBy, selectsNamespace } from "../../mesh/namespace-selectors";
import {
  byNamespace,
  dig,
  fieldsList,
  isEmptyLabelSelector,
  isKind,
  labelsOf,
  namespaceOf,
  ofKind,
  specOf,
  splitNamespacedHost,
  stringMap,
  text,
  texts,
} from "../../mesh/object-fields";
import { ObjectRef, ResourceRule, StackRule, Violation, violation } from "../../engine/rule";

const namespaceRef = (name: string): ObjectRef => ({ kind: "Namespace", name });

function isNamespaceWideSidecar(sidecar: KubernetesObject): boolean {
  return Object.keys(stringMap(dig(sidecar.spec, "workloadSelector", "labels"))).length === 0;
}

function outboundMode(sidecar: KubernetesObject): string | undefined {
  return text(dig(sidecar.spec, "outboundTrafficPolicy", "mode"));
}

export const sidecarRegistryOnly: StackRule = {
  name: "sidecar-registry-only",
  description:
    "Every tenant namespace has a namespace-wide Sidecar that sets `outboundTrafficPolicy.mode: REGISTRY_ONLY` " +
    "and lists the egress hosts it imports, every other Sidecar there sets REGISTRY_ONLY explicitly too (a " +
    "workload's Sidecar replaces the namespace's, and unset means the mesh default), and no Sidecar anywhere " +
    "switches to ALLOW_ANY. Without it the " +
    "tenant's sidecars follow the mesh default (possibly ALLOW_ANY) and pass unregistered traffic straight out.",
  severity: "high",
  concern: "tenant-isolation",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Give each tenant namespace a Sidecar without workloadSelector, mode REGISTRY_ONLY and an explicit egress host list.",
  kinds: [KIND.Namespace, KIND.Sidecar, KIND.AuthorizationPolicy, KIND.ServiceEntry],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const out: Violation[] = [];
    const sidecars = ofKind(objects, KIND.Sidecar);
    const sidecarsByNamespace = byNamespace(sidecars);
    const reported = new Set<KubernetesObject>();
    for (const tenant of [...mesh.tenantNamespaces].sort()) {
      const namespaceWide = (sidecarsByNamespace.get(tenant) ?? []).filter(isNamespaceWideSidecar);
      if (namespaceWide.length === 0) {
        out.push(
          violation(
            namespaceRef(tenant),
            "tenant namespace has no namespace-wide Sidecar, so its pods import every exported host and follow " +
              "the mesh's default outbound policy",
            "add a Sidecar without workloadSelector, with outboundTrafficPolicy.mode REGISTRY_ONLY and egress " +
              "hosts ./*, istio-system/* and the allowed <gateway-namespace>/<host> entries",
          ),
        );
        continue;
      }
      for (const sidecar of namespaceWide) {
        const mode = outboundMode(sidecar);
        if (mode !== "REGISTRY_ONLY") {
          reported.add(sidecar);
          out.push(
            violation(
              sidecar,
              `outboundTrafficPolicy.mode is ${mode ?? "unset (the mesh default applies)"} in tenant namespace ${tenant}`,
              "set spec.outboundTrafficPolicy.mode to REGISTRY_ONLY",
            ),
          );
        }
        const hosts = fieldsList(specOf(sidecar).egress).flatMap((e) => texts(e.hosts));
        if (hosts.length === 0) {
          out.push(
            violation(
              sidecar,
              "lists no egress hosts, so the tenant's sidecars import every host exported to them",
              "list ./*, istio-system/* and the allowed <gateway-namespace>/<host> entries in spec.egress[].hosts",
            ),
          );
        }
      }
    }
    for (const sidecar of sidecars) {
      if (reported.has(sidecar)) continue;
      const mode = outboundMode(sidecar);
      const namespace = namespaceOf(sidecar) ?? "";
      // A workload's Sidecar replaces the namespace's whole: left unset, its mode is the mesh default, not REGISTRY_ONLY.
      if (mode === undefined && mesh.tenantNamespaces.has(namespace)) {
        out.push(
          violation(
            sidecar,
            `leaves outboundTrafficPolicy.mode unset in tenant namespace ${namespace}, so its workloads follow the mesh default (possibly ALLOW_ANY), not the namespace's Sidecar`,
            "set spec.outboundTrafficPolicy.mode to REGISTRY_ONLY",
          ),
        );
      } else if (mode === "ALLOW_ANY") {
        out.push(
          violation(
            sidecar,
            "sets outboundTrafficPolicy.mode ALLOW_ANY, which passes traffic to unregistered hosts straight out",
            "set spec.outboundTrafficPolicy.mode to REGISTRY_ONLY",
          ),
        );
      }
    }
    return out;
  },
};

export const sidecarEgressHostsScoped: ResourceRule = {
  name: "sidecar-egress-hosts-scoped",
  description:
    "No Sidecar imports `*/*` (every host of every namespace). A Sidecar exists to narrow what a workload can " +
    "address; `*/*` undoes the per-tenant allow list.",
  severity: "high",
  concern: "tenant-isolation",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Replace */* with ./*, istio-system/* and one <gateway-namespace>/<host> entry per allowed service.",
  kinds: [KIND.Sidecar],
  scope: "resource",
  check(sidecar: KubernetesObject): Violation[] {
    const out: Violation[] = [];
    for (const host of fieldsList(specOf(sidecar).egress).flatMap((e) => texts(e.hosts))) {
      const { namespace, host: name } = splitNamespacedHost(host);
      if ((namespace === undefined || namespace === "*") && name === "*") {
        out.push(
          violation(
            sidecar,
            `egress host "${host}" imports every host of every namespace`,
            "list ./*, istio-system/* and the allowed <gateway-namespace>/<host> entries instead",
          ),
        );
      }
    }
    return out;
  },
};

export const sidecarImportsGatewayHostsByName: StackRule = {
  name: "sidecar-imports-gateway-hosts-by-name",
  description:
    "A Sidecar in a tenant namespace imports external hosts from the platform namespace one by one " +
    "(`<gateway-namespace>/<host>`), never with a wildcard (`<gateway-namespace>/*`, `<gateway-namespace>/*.example.com`). " +
    "The per-tenant allow list then holds in the Sidecar as well as in exportTo: widening one layer does not open the other.",
  severity: "high",
  concern: "tenant-isolation",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Replace the wildcard with one <gateway-namespace>/<host> entry per service the tenant may use.",
  kinds: [KIND.Sidecar],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const platform = mesh.gatewayNamespace;
    if (platform === undefined) return [];
    const out: Violation[] = [];
    for (const sidecar of ofKind(objects, KIND.Sidecar)) {
      if (!mesh.tenantNamespaces.has(namespaceOf(sidecar) ?? "")) continue;
      for (const entry of fieldsList(specOf(sidecar).egress).flatMap((e) => texts(e.hosts))) {
        const { namespace, host } = splitNamespacedHost(entry);
        if (namespace === platform && host.includes("*")) {
          out.push(
            violation(
              sidecar,
              `egress host "${entry}" imports every external host exported to tenant ${namespaceOf(sidecar)}, not only its allowed ones`,
              `list each allowed service as ${platform}/<host> instead`,
            ),
          );
        }
      }
    }
    return out;
  },
};

export const tenantEgressDefaultDeny: StackRule = {
  name: "tenant-egress-default-deny",
  description:
    "Every tenant namespace has a NetworkPolicy selecting all its pods (`podSelector: {}`) with policy type " +
    "Egress, so egress is denied unless allowed. REGISTRY_ONLY is best effort; this is the enforcement a pod " +
    "that bypasses its sidecar still meets.",
  severity: "high",
  concern: "tenant-isolation",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Add a NetworkPolicy with podSelector {} and policyTypes [Egress] allowing only DNS, istiod, the gateway and in-cluster pods.",
  kinds: [KIND.Namespace, KIND.NetworkPolicy, KIND.AuthorizationPolicy, KIND.ServiceEntry],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const policies = byNamespace(ofKind(objects, KIND.NetworkPolicy));
    const out: Violation[] = [];
    for (const tenant of [...mesh.tenantNamespaces].sort()) {
      const denies = (policies.get(tenant) ?? []).some(
        (p) => restrictsEgress(p) && isEmptyLabelSelector(specOf(p).podSelector),
      );
      if (!denies) {
        out.push(
          violation(
            namespaceRef(tenant),
            "tenant namespace has no NetworkPolicy that restricts egress of all its pods, so a pod that bypasses " +
              "its sidecar reaches the internet directly",
            "add a NetworkPolicy with podSelector {} and policyTypes [Egress] allowing only DNS, istiod, the " +
              "egress gateway and in-cluster pods",
          ),
        );
      }
    }
    return out;
  },
};

export const networkPolicyNoInternetEgress: StackRule = {
  name: "network-policy-no-internet-egress",
  description:
    "No NetworkPolicy outside the egress gateway's namespace allows egress to public addresses: no ipBlock " +
    "whose CIDR (minus its excepts) covers public address space, and no egress rule without peers (which " +
    "allows every destination) unless it is DNS only. Only the gateway may reach the internet.",
  severity: "critical",
  concern: "tenant-isolation",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Remove the ipBlock (or narrow it to in-cluster ranges) and route external traffic through the egress gateway.",
  kinds: [KIND.NetworkPolicy],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const out: Violation[] = [];
    const clusterRanges = declaredClusterRanges(objects, mesh.gatewayNamespace);
    for (const policy of ofKind(objects, KIND.NetworkPolicy)) {
      if (mesh.gatewayNamespace !== undefined && namespaceOf(policy) === mesh.gatewayNamespace) continue;
      // A break-glass exception is judged by its own rules: labelled, annotated, and expiring.
      if (isBreakGlassObject(policy)) continue;
      for (const reach of egressReach(policy)) {
        const { index } = reach.rule;
        if (reach.kind === "anywhere") {
          out.push(
            violation(
              policy,
              `egress rule ${index} has no "to" peers, so it allows every destination, the internet included`,
              "name the in-cluster peers (namespaceSelector/podSelector) the rule is meant for",
            ),
          );
        } else if (reach.kind === "invalid-cidr") {
          out.push(
            violation(
              policy,
              `egress rule ${index} has an ipBlock "${reach.block.cidr}" that is not a CIDR`,
              "fix the CIDR, or remove the ipBlock",
            ),
          );
        } else if (reachesBeyondTenantOpenable(reach.ranges, clusterRanges)) {
          const { cidr, excepts } = reach.block;
          out.push(
            violation(
              policy,
              `egress rule ${index} allows ipBlock ${cidr}` +
                `${excepts.length > 0 ? ` except ${excepts.join(", ")}` : ""}, which reaches beyond the ranges a tenant may open ` +
                `(${TENANT_OPENABLE_RANGES.join(", ")} and cluster.internalCidrs; never public, link-local metadata or NAT64)`,
              "remove the ipBlock and send external traffic through the egress gateway",
            ),
          );
        }
      }
    }
    return out;
  },
};

/** Whether every port entry of a rule names a port: `{protocol: TCP}` alone opens them all. */
const namesPorts = (rule: EgressRule): boolean =>
  rule.ports.length > 0 && rule.ports.every((p) => p.port !== undefined && p.port !== null);

export const tenantEgressPlatformNamespacesPortScoped: StackRule = {
  name: "tenant-egress-platform-namespaces-port-scoped",
  description:
    "No egress rule of a tenant NetworkPolicy opens every port of a platform namespace: the egress gateway's, or " +
    "one any tenant policy reaches on named ports (istiod's, DNS). A catch-all " +
    "such as `to: [{namespaceSelector: {}}]`, a selector naming one of them, or an ipBlock (their pods live in " +
    "the private ranges too) with no ports, or ports without numbers, opens istiod's plaintext 15010/15014 and " +
    "makes any in-cluster proxy there a relay.",
  severity: "high",
  concern: "tenant-isolation",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Name the ports, or exclude those namespaces from the in-cluster rule (namespaceSelector matchExpressions kubernetes.io/metadata.name NotIn [...]).",
  kinds: [KIND.NetworkPolicy],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const out: Violation[] = [];
    const clusterRanges = declaredClusterRanges(objects, mesh.gatewayNamespace);
    const tenantPolicies = ofKind(objects, KIND.NetworkPolicy).filter(
      (p) => mesh.tenantNamespaces.has(namespaceOf(p) ?? "") && !isBreakGlassObject(p),
    );
    // The namespaces any tenant policy reaches on named ports (istiod's, DNS, the gateway's), and the gateway's:
    // one policy's catch-all voids another's port scoping just the same.
    const scoped = new Set([
      ...tenantPolicies
        .flatMap((p) => egressRules(p).filter(namesPorts))
        .flatMap((r) => r.peers.flatMap(namespacesNamedBy)),
      ...(mesh.gatewayNamespace ? [mesh.gatewayNamespace] : []),
    ]);
    for (const policy of tenantPolicies) {
      const rules = egressRules(policy);
      for (const rule of rules.filter((r) => !namesPorts(r))) {
        const opened = [...scoped].filter((ns) => rule.peers.some((peer) => selectsNamespace(peer, ns)));
        // Blocks reaching beyond the openable ranges are network-policy-no-internet-egress's; private ones hold platform pods.
        const blocks = rule.peers.map(ipBlockOf).filter((b) => {
          const ranges = b && ipBlockRanges(b.cidr, b.excepts);
          return ranges !== undefined && !reachesBeyondTenantOpenable(ranges, clusterRanges);
        });
        if (opened.length === 0 && blocks.length === 0) continue;
        const what =
          opened.length > 0
            ? `opens every port of ${opened.sort().join(", ")}`
            : `opens every port of ipBlock ${blocks.map((b) => b?.cidr).join(", ")}, where the platform's pods (istiod, DNS, the gateway) live too`;
        out.push(
          violation(
            policy,
            `egress rule ${rule.index} ${what}, voiding the port-scoped rules for them (istiod's plaintext 15010/15014, any proxy there as a relay)`,
            opened.length > 0
              ? `name the rule's ports, or exclude ${opened.join(", ")} from its namespaceSelector (matchExpressions kubernetes.io/metadata.name NotIn)`
              : "name the rule's ports, or select in-cluster peers by namespace instead of by address",
          ),
        );
      }
    }
    return out;
  },
};

export const namespaceInjectionLabelsNotMixed: ResourceRule = {
  name: "namespace-injection-labels-not-mixed",
  description:
    "No namespace carries both `istio-injection` and `istio.io/rev`. `istio-injection` overrides the revision " +
    "label and is honoured only by the default revision's webhook, so under a revisioned control plane its pods " +
    "get no sidecar (or the wrong revision's) and escape the Sidecar scope and the gateway's authorization.",
  severity: "high",
  concern: "tenant-isolation",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Keep istio.io/rev=<revision> alone (revisioned control plane), or istio-injection=enabled alone.",
  kinds: [KIND.Namespace],
  scope: "resource",
  check(object: KubernetesObject): Violation[] {
    if (!isKind(object, KIND.Namespace)) return [];
    const labels = labelsOf(object);
    if (!("istio-injection" in labels) || !("istio.io/rev" in labels)) return [];
    return [
      violation(
        object,
        `carries istio-injection=${labels["istio-injection"]} beside istio.io/rev=${labels["istio.io/rev"]}; istio-injection wins and only the default revision honours it`,
        "remove the istio-injection label and keep istio.io/rev",
      ),
    ];
  },
};

export const tenantSidecarInjectionEnabled: StackRule = {
  name: "tenant-sidecar-injection-enabled",
  description:
    "Tenant namespaces enable sidecar injection (`istio-injection=enabled`, or an `istio.io/rev` label naming a " +
    "revision the platform runs); a " +
    "workload's own opt-out is judged by tenant-pod-istio-knobs-allowed. A pod without a sidecar escapes the " +
    "Sidecar scope, the gateway routing and the gateway's identity-based authorization.",
  severity: "high",
  concern: "tenant-isolation",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: "Label tenant namespaces istio-injection=enabled (or istio.io/rev=<revision>).",
  kinds: [KIND.Namespace, ...WORKLOAD_KINDS],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const out: Violation[] = [];
    const namespaces = declaredNamespaces(objects);
    const revisions = knownRevisions(objects);
    for (const tenant of [...mesh.tenantNamespaces].sort()) {
      const namespace = namespaces.get(tenant);
      if (!namespace) continue;
      const labels = labelsOf(namespace);
      if (labels["istio-injection"] === "disabled") {
        out.push(
          violation(
            namespace,
            "tenant namespace disables sidecar injection (istio-injection=disabled)",
            "label it istio-injection=enabled",
          ),
        );
      } else if (
        labels["istio-injection"] === undefined &&
        "istio.io/rev" in labels &&
        !runsRevision(revisions, labels["istio.io/rev"] ?? "")
      ) {
        out.push(
          violation(
            namespace,
            `tenant namespace names istio.io/rev=${labels["istio.io/rev"]}, a revision the platform does not run (${[...revisions].join(", ")}), so no injector takes its pods`,
            `label it istio.io/rev=${[...revisions][0] ?? "<revision>"}`,
          ),
        );
      } else if (labels["istio-injection"] !== "enabled" && !("istio.io/rev" in labels)) {
        out.push(
          violation(
            namespace,
            "tenant namespace does not enable sidecar injection, so its pods run without sidecars",
            "label it istio-injection=enabled (or istio.io/rev=<revision>)",
          ),
        );
      }
    }
    return out;
  },
};

export const tenantIsolationRules = [
  sidecarRegistryOnly,
  sidecarEgressHostsScoped,
  sidecarImportsGatewayHostsByName,
  tenantEgressDefaultDeny,
  networkPolicyNoInternetEgress,
  tenantEgressPlatformNamespacesPortScoped,
  tenantSidecarInjectionEnabled,
  namespaceInjectionLabelsNotMixed,
  sidecarInterceptionNotNarrowed,
  serviceNotExternalAlias,
  clusterEgressLockedOutsideGateway,
  tenantPodsWithinBaseline,
  proxyIdentityOnlyForInjectedContainers,
  tenantPodIstioKnobsAllowed,
  cniPolicyNoInternetEgress,
  tenantRoutingExportedToOwnNamespace,
];
