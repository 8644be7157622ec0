import {
  BREAK_GLASS_LABEL,
  BREAK_GLASS_SCOPE_LABEL,
  COMPONENT_LABEL,
  EXPIRES_AT_ANNOTATION,
  GATEWAY_EXCLUDED_RANGES,
  NEVER_TENANT_OPENABLE_RANGES,
  TENANT_OPENABLE_RANGES,
  REASON_ANNOTATION,
  TENANT_LABEL,
  TICKET_ANNOTATION,
  NAMESPACE_NAME_LABEL,
  DEFAULT_REVISION,
  defaultProxyImage,
} from "../policy/contract";
import type { EgressConfig } from "../stacks/model/egress-config";
import { gatewayServiceHost } from "./gateway-endpoint";
import { cniPoliciesGuardrail } from "./guardrails/cni-policies";
import {
  gatewayApiGuardrail,
  tenantRoutingExportGuardrail,
  virtualServiceGatewayGuardrail,
} from "./guardrails/gateway-api";
import { gatewayPodLabels } from "./guardrails/gateway-pod-labels";
import {
  AdmissionGuardrailSettings,
  Guardrail,
  Scope,
  cel,
  selectsGateway,
  tenantMayOpen,
} from "./guardrails/guardrail";
import { platformObjectsGuardrail, tenantNamespaceGuardrail } from "./guardrails/ownership";
import { podIstioKnobsGuardrail } from "./guardrails/pod-istio-knobs";
import { podSecurityGuardrail, proxyExecGuardrail } from "./guardrails/pod-security";
import { tenantProxyConfigGuardrail } from "./guardrails/proxy-config";
import {
  tenantEnvoyFilterGuardrail,
  tenantServiceEndpointsGuardrail,
  tenantServiceEntryGuardrail,
  tenantWorkloadEntryGuardrail,
} from "./guardrails/registry-destinations";
import { tenantTelemetryGuardrail } from "./guardrails/telemetry";
import { KubernetesObject, ownedLabels } from "./kubernetes-object";
import { namespacesClosedToTenants } from "./network-policy-peers";

export type { AdmissionGuardrailSettings } from "./guardrails/guardrail";

/** The settings of a stack: the single place config is read, so the builder sees only what it needs. */
export function admissionGuardrailSettings(config: EgressConfig): AdmissionGuardrailSettings {
  return {
    gatewayNamespace: config.gateway.namespace,
    controlPlaneNamespace: config.controlPlane.namespace,
    gatewayServiceHost: gatewayServiceHost(config),
    gatewayPodLabels: gatewayPodLabels(config),
    validationActions: config.guardrails.validationActions,
    tenantOpenableRanges: [...new Set([...TENANT_OPENABLE_RANGES, ...config.cluster.internalCidrs])],
    neverOpenableRanges: NEVER_TENANT_OPENABLE_RANGES,
    gatewayExcludedRanges: [...new Set([...GATEWAY_EXCLUDED_RANGES, ...config.cluster.internalCidrs])],
    closedNamespaces: namespacesClosedToTenants(config),
    clusterDomain: config.cluster.domain,
    breakGlassMaxHours: config.breakGlass.maxHours,
    breakGlassRequesters: config.guardrails.breakGlassRequesters,
    platformIdentities: config.guardrails.platformIdentities,
    cni: config.controlPlane.cni ?? false,
    proxyImage: config.controlPlane.proxyImage ?? defaultProxyImage(config.controlPlane.chart.version),
    revision: config.controlPlane.revision ?? DEFAULT_REVISION,
  };
}

/** CEL: the peer is an ipBlock that reaches beyond the internal ranges. */
const reachesPublic = (peer: string, internalRanges: readonly string[]) =>
  `has(${peer}.ipBlock) && !${cel(internalRanges)}.exists(r, cidr(r).containsCIDR(cidr(${peer}.ipBlock.cidr)))`;

/** CEL: every internal range inside the peer's ipBlock is in its `except` list. */
const exceptsInternal = (peer: string, internalRanges: readonly string[]) =>
  `${cel(internalRanges)}.all(r, !cidr(${peer}.ipBlock.cidr).containsCIDR(cidr(r)) || (has(${peer}.ipBlock.except) && ${peer}.ipBlock.except.exists(e, cidr(e).containsCIDR(cidr(r)))))`;

/** CEL: a NetworkPolicy port that names one TCP port by number; Kubernetes reads endPort as a range and a name as any port so named. */
const singleTcpPort = (port: string) =>
  `has(${port}.port) && type(${port}.port) == int && !has(${port}.endPort) && (!has(${port}.protocol) || ${port}.protocol == 'TCP')`;

/** RFC 3339 with an offset, uppercase T and Z as CEL's timestamp() takes it; checked first so a bad value is a denial, not an error. */
const RFC3339_PATTERN =
  "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$";

/**
 * Whether an object is break-glass, and a valid one. Admission CEL has no clock (`now`), but the API server
 * sets `metadata.creationTimestamp` before validating a create: the expiry must follow the creation and lie
 * within the maximum of it. On create that is "not expired, not too long"; on update it bounds the whole
 * lifetime, so an update cannot push the expiry out. Whether an unchanged object outlived its expiry, only
 * the Overdue alert and the drift check see.
 */
function breakGlassVariables(
  maxHours: number,
  requesters: readonly string[],
): { name: string; expression: string }[] {
  const annotation = (key: string) =>
    `(${cel(key)} in variables.annotations ? variables.annotations[${cel(key)}] : '')`;
  return [
    { name: "labels", expression: "has(object.metadata.labels) ? object.metadata.labels : {}" },
    {
      name: "annotations",
      expression: "has(object.metadata.annotations) ? object.metadata.annotations : {}",
    },
    {
      name: "breakGlass",
      expression: `${cel(BREAK_GLASS_LABEL)} in variables.labels && variables.labels[${cel(BREAK_GLASS_LABEL)}] != ''`,
    },
    { name: "expiresAt", expression: annotation(EXPIRES_AT_ANNOTATION) },
    {
      name: "breakGlassValid",
      expression:
        // Only the identities pulumi up runs as: anyone else able to write NetworkPolicies could label their own.
        `(request.userInfo.username in ${cel(requesters)} || (has(request.userInfo.groups) && request.userInfo.groups.exists(g, g in ${cel(requesters)})))` +
        ` && variables.breakGlass && ${cel(BREAK_GLASS_SCOPE_LABEL)} in variables.labels && variables.labels[${cel(BREAK_GLASS_SCOPE_LABEL)}] == 'direct'` +
        ` && size(${annotation(TICKET_ANNOTATION)}.trim()) > 0 && size(${annotation(REASON_ANNOTATION)}.trim()) > 0` +
        ` && variables.expiresAt.matches(${cel(RFC3339_PATTERN)}) && has(object.metadata.creationTimestamp)` +
        ` && timestamp(variables.expiresAt) > timestamp(object.metadata.creationTimestamp)` +
        ` && timestamp(variables.expiresAt) <= timestamp(object.metadata.creationTimestamp) + duration(${cel(`${maxHours}h`)})`,
    },
  ];
}

function guardrails(s: AdmissionGuardrailSettings): Guardrail[] {
  const gw = s.gatewayNamespace;
  const hostForms = [
    s.gatewayServiceHost,
    s.gatewayServiceHost.replace(/\.svc\.cluster\.local$/, ""),
    s.gatewayServiceHost.replace(/\.cluster\.local$/, ""),
  ];
  const workloadLabels = (field: string) =>
    `has(object.spec.${field}) && has(object.spec.${field}.labels) ? object.spec.${field}.labels : {}`;
  const tenantNamespace = `namespaceObject != null && has(namespaceObject.metadata.labels) && ${cel(TENANT_LABEL)} in namespaceObject.metadata.labels`;
  return [
    {
      name: "gateway-selector",
      description: `Only ${gw} may hold Gateways that select the egress gateway pods; an empty selector selects every gateway.`,
      resourceRules: [{ apiGroups: ["networking.istio.io"], resources: ["gateways"] }],
      scope: "all-but-gateway",
      variables: [{ name: "selector", expression: "has(object.spec.selector) ? object.spec.selector : {}" }],
      validations: [
        {
          expression: "size(variables.selector) > 0",
          message: `mesh-egress guardrail gateway-selector: a Gateway outside ${gw} must have a selector (an empty one binds every gateway workload, the egress gateway included). Fix: select your own ingress gateway's labels.`,
        },
        {
          expression: `!(${selectsGateway("variables.selector", s.gatewayPodLabels)})`,
          message: `mesh-egress guardrail gateway-selector: this Gateway's selector is made only of labels the egress gateway pods carry (${describeLabels(s.gatewayPodLabels)}), so it selects them; only ${gw} may configure them. Fix: select your own ingress gateway by a label it alone carries; for an outside host, ask the platform team to add it to the egress registry.`,
        },
      ],
    },
    {
      name: "service-entry-registry",
      description: `External destinations come only from the registry in ${gw}: elsewhere ServiceEntries are MESH_INTERNAL and not exported to ${gw}.`,
      resourceRules: [{ apiGroups: ["networking.istio.io"], resources: ["serviceentries"] }],
      // Tenant namespaces have the stricter tenant-service-entry.
      scope: "neither-platform-nor-tenants",
      validations: [
        {
          expression: "has(object.spec.location) && object.spec.location == 'MESH_INTERNAL'",
          message: `mesh-egress guardrail service-entry-registry: a ServiceEntry outside ${gw} must set location: MESH_INTERNAL (MESH_EXTERNAL is the default); external destinations come only from the egress registry. Fix: ask the platform team to register the host, or set location: MESH_INTERNAL for an in-cluster service.`,
        },
        {
          expression: `!has(object.spec.exportTo) || !object.spec.exportTo.exists(e, e == '*' || e == ${cel(gw)})`,
          message: `mesh-egress guardrail service-entry-registry: a ServiceEntry outside ${gw} must not be exported to '*' or to ${gw}. Fix: set exportTo: ["."].`,
        },
      ],
    },
    {
      name: "network-policy-internal-egress",
      description:
        "Tenant NetworkPolicies reach only in-cluster peers and internal address ranges: never the internet, " +
        "but for a break-glass `direct` policy within its lifetime.",
      resourceRules: [{ apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"] }],
      scope: "tenants",
      variables: breakGlassVariables(s.breakGlassMaxHours, s.breakGlassRequesters),
      validations: [
        {
          expression:
            "!has(object.spec.egress) || object.spec.egress.all(rule, has(rule.to) && size(rule.to) > 0)",
          message:
            "mesh-egress guardrail network-policy-internal-egress: an egress rule without `to` allows every destination, the internet included. Fix: list in-cluster peers (podSelector/namespaceSelector); external services go through the egress gateway.",
        },
        {
          // Pods of istiod, the gateway and DNS live in the private ranges too: an ipBlock reaches them as well.
          expression: `!has(object.spec.egress) || object.spec.egress.all(rule, (has(rule.ports) && size(rule.ports) > 0) || !has(rule.to) || rule.to.all(peer, ${peerAvoidsNamespaces("peer", s.closedNamespaces)}))`,
          message: `mesh-egress guardrail network-policy-internal-egress: an egress rule that can reach the platform's namespaces (${s.closedNamespaces.join(", ")}), through a namespaceSelector that does not exclude them or an ipBlock, must name its ports. Fix: list the ports, or select namespaces by ${NAMESPACE_NAME_LABEL} excluding the platform's.`,
        },
        {
          expression: "!variables.breakGlass || variables.breakGlassValid",
          message: `mesh-egress guardrail network-policy-internal-egress: a break-glass NetworkPolicy (label ${BREAK_GLASS_LABEL}) needs ${BREAK_GLASS_SCOPE_LABEL}: direct, non-empty ${TICKET_ANNOTATION} and ${REASON_ANNOTATION}, an RFC 3339 ${EXPIRES_AT_ANNOTATION} after its creation and at most ${s.breakGlassMaxHours}h after it, and a requester in guardrails.breakGlassRequesters (${s.breakGlassRequesters.join(", ") || "none"}). Fix: declare the exception as a breakGlass entry of the stack (pulumi up renders it), or renew it as a new entry.`,
        },
        {
          // A valid break-glass `direct` policy may open public space: the next two clauses bound it.
          expression: `variables.breakGlassValid || !has(object.spec.egress) || object.spec.egress.all(rule, !has(rule.to) || rule.to.all(peer, !has(peer.ipBlock) || ${tenantMayOpen("peer.ipBlock.cidr", s)}))`,
          message: `mesh-egress guardrail network-policy-internal-egress: an egress ipBlock reaches beyond the ranges a tenant may open (${s.tenantOpenableRanges.join(", ")}; never ${s.neverOpenableRanges.join(", ")}). Fix: remove the ipBlock; external services go through the egress gateway.`,
        },
        {
          expression: `!variables.breakGlassValid || !has(object.spec.egress) || object.spec.egress.all(rule, !has(rule.to) || !rule.to.exists(peer, ${reachesPublic("peer", s.gatewayExcludedRanges)}) || (has(rule.ports) && size(rule.ports) > 0 && rule.ports.all(p, ${singleTcpPort("p")}) && rule.to.all(peer, !has(peer.ipBlock) || ${exceptsInternal("peer", s.gatewayExcludedRanges)})))`,
          message: `mesh-egress guardrail network-policy-internal-egress: a break-glass NetworkPolicy opens public space only on its services' TCP ports, each a number (no endPort, no named port), and with every internal range excepted (${s.gatewayExcludedRanges.join(", ")}). Fix: list the services' ports and except the internal ranges, as mesh-egress renders it.`,
        },
      ],
    },
    {
      name: "destination-rule-gateway-host",
      description: `Only ${gw} may hold a DestinationRule for the gateway's Service: another one would shadow the platform's subsets.`,
      resourceRules: [{ apiGroups: ["networking.istio.io"], resources: ["destinationrules"] }],
      scope: "all-but-platform",
      validations: [
        {
          expression: `!(object.spec.host in ${cel(hostForms)}) && object.spec.host != '*' && !(object.spec.host.startsWith('*.') && ${cel(s.gatewayServiceHost)}.endsWith(object.spec.host.substring(1)))`,
          message: `mesh-egress guardrail destination-rule-gateway-host: this DestinationRule's host matches the egress gateway's Service (${s.gatewayServiceHost}) and would shadow the platform's subsets. Fix: remove it; route external hosts through the registry.`,
        },
      ],
    },
    {
      name: "envoy-filter-gateway",
      description: `EnvoyFilters outside ${gw} must not reach the egress gateway: no selector on its labels, and none left empty in the root namespace.`,
      resourceRules: [{ apiGroups: ["networking.istio.io"], resources: ["envoyfilters"] }],
      scope: "all-but-gateway",
      variables: [{ name: "labels", expression: workloadLabels("workloadSelector") }],
      validations: [
        {
          expression: `!(${selectsGateway("variables.labels", s.gatewayPodLabels)})`,
          message: `mesh-egress guardrail envoy-filter-gateway: this EnvoyFilter selects the egress gateway pods; only ${gw} may patch them. Fix: select your own workloads' labels.`,
        },
        {
          expression: `size(variables.labels) > 0 || request.namespace != ${cel(s.controlPlaneNamespace)}`,
          message: `mesh-egress guardrail envoy-filter-gateway: an EnvoyFilter in the root namespace ${s.controlPlaneNamespace} without a workloadSelector patches every proxy, the egress gateway included. Fix: set workloadSelector.labels.`,
        },
      ],
    },
    {
      name: "sidecar-registry-only",
      description: `Sidecars outside ${gw} must not select the gateway; in tenant namespaces they set REGISTRY_ONLY explicitly, in the root namespace never ALLOW_ANY.`,
      resourceRules: [{ apiGroups: ["networking.istio.io"], resources: ["sidecars"] }],
      scope: "all-but-gateway",
      variables: [{ name: "labels", expression: workloadLabels("workloadSelector") }],
      validations: [
        {
          expression: `!(${selectsGateway("variables.labels", s.gatewayPodLabels)})`,
          message: `mesh-egress guardrail sidecar-registry-only: this Sidecar selects the egress gateway pods; only ${gw} may configure them. Fix: select your own workloads' labels.`,
        },
        {
          expression: `${tenantNamespace} ? has(object.spec.outboundTrafficPolicy) && has(object.spec.outboundTrafficPolicy.mode) && object.spec.outboundTrafficPolicy.mode == 'REGISTRY_ONLY' : request.namespace != ${cel(s.controlPlaneNamespace)} || !has(object.spec.outboundTrafficPolicy) || !has(object.spec.outboundTrafficPolicy.mode) || object.spec.outboundTrafficPolicy.mode != 'ALLOW_ANY'`,
          message:
            "mesh-egress guardrail sidecar-registry-only: a Sidecar in a tenant namespace must set outboundTrafficPolicy.mode: REGISTRY_ONLY (left unset it takes the mesh default, which may be ALLOW_ANY), and one in the root namespace must not set ALLOW_ANY: ALLOW_ANY lets proxies reach hosts the registry never granted. Fix: set outboundTrafficPolicy: {mode: REGISTRY_ONLY} and ask for the host to be registered.",
        },
      ],
    },
    platformObjectsGuardrail(s),
    tenantNamespaceGuardrail(s),
    podSecurityGuardrail(s),
    podIstioKnobsGuardrail(s),
    tenantServiceEntryGuardrail(s),
    tenantWorkloadEntryGuardrail(s),
    tenantServiceEndpointsGuardrail(s),
    tenantEnvoyFilterGuardrail(),
    gatewayApiGuardrail(s),
    virtualServiceGatewayGuardrail(s),
    tenantRoutingExportGuardrail(),
    tenantTelemetryGuardrail(),
    cniPoliciesGuardrail(s),
    tenantProxyConfigGuardrail(),
    proxyExecGuardrail(s),
  ];
}

/** `k=v, …` for a message; "*" reads as any value. */
function describeLabels(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([k, v]) => (v === "*" ? `${k}=<any>` : `${k}=${v}`))
    .join(", ");
}

/**
 * CEL: a NetworkPolicy peer cannot reach `closed` namespaces: no ipBlock, and either no namespaceSelector (its own
 * namespace) or one pinned by name to namespaces outside them.
 */
function peerAvoidsNamespaces(peer: string, closed: readonly string[]): string {
  const name = cel(NAMESPACE_NAME_LABEL);
  const sel = `${peer}.namespaceSelector`;
  return (
    `!has(${peer}.ipBlock) && (!has(${sel}) || ` +
    `(has(${sel}.matchLabels) && ${name} in ${sel}.matchLabels && !(${sel}.matchLabels[${name}] in ${cel(closed)})) || ` +
    `(has(${sel}.matchExpressions) && ${sel}.matchExpressions.exists(e, e.key == ${name} && has(e.values) && ` +
    `((e.operator == 'NotIn' && ${cel(closed)}.all(c, c in e.values)) || (e.operator == 'In' && e.values.all(v, !(v in ${cel(closed)})))))))`
  );
}

function namespaceSelector(scope: Scope, s: AdmissionGuardrailSettings): Record<string, unknown> {
  switch (scope) {
    case "tenants":
      return { matchExpressions: [{ key: TENANT_LABEL, operator: "Exists" }] };
    case "all-but-gateway":
      return {
        matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: "NotIn", values: [s.gatewayNamespace] }],
      };
    case "all-but-platform":
      return {
        matchExpressions: [
          {
            key: NAMESPACE_NAME_LABEL,
            operator: "NotIn",
            values: [s.gatewayNamespace, s.controlPlaneNamespace],
          },
        ],
      };
    case "neither-platform-nor-tenants":
      return {
        matchExpressions: [
          {
            key: NAMESPACE_NAME_LABEL,
            operator: "NotIn",
            values: [s.gatewayNamespace, s.controlPlaneNamespace],
          },
          { key: TENANT_LABEL, operator: "DoesNotExist" },
        ],
      };
    case "every-object":
      // The policy's own matchConditions pick the objects (a Namespace by its old labels as well as its new ones).
      return {};
  }
}

/** Prefix of every guardrail's policy and binding name. */
export const GUARDRAIL_PREFIX = "mesh-egress-";

/** Marks guardrail objects, so the pack and lint can find them. */
export const GUARDRAIL_COMPONENT = "admission-guardrails";

/**
 * One ValidatingAdmissionPolicy and one binding per guardrail: the API server itself refuses objects
 * that would undo the egress lock, whoever creates them and whether or not istiod scopes Gateways.
 * Pure: same settings, same objects.
 */
export function buildAdmissionGuardrailManifests(settings: AdmissionGuardrailSettings): KubernetesObject[] {
  const labels = ownedLabels({ [COMPONENT_LABEL]: GUARDRAIL_COMPONENT });
  return guardrails(settings).flatMap((guardrail) => {
    const name = `${GUARDRAIL_PREFIX}${guardrail.name}`;
    const policy: KubernetesObject = {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicy",
      metadata: { name, labels, annotations: { "mesh-egress.io/description": guardrail.description } },
      spec: {
        failurePolicy: "Fail",
        matchConstraints: {
          resourceRules: guardrail.resourceRules.map((rule) => ({
            ...rule,
            apiVersions: ["*"],
            operations: [...(guardrail.operations ?? ["CREATE", "UPDATE"])],
          })),
        },
        ...(guardrail.matchConditions
          ? { matchConditions: guardrail.matchConditions.map((c) => ({ ...c })) }
          : {}),
        ...(guardrail.variables ? { variables: guardrail.variables.map((v) => ({ ...v })) } : {}),
        validations: guardrail.validations.map((v) => ({ ...v, reason: "Forbidden" })),
      },
    };
    const binding: KubernetesObject = {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicyBinding",
      metadata: { name, labels },
      spec: {
        policyName: name,
        validationActions: [...settings.validationActions],
        matchResources: { namespaceSelector: namespaceSelector(guardrail.scope, settings) },
      },
    };
    return [policy, binding];
  });
}
