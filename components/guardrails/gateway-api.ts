import { AdmissionGuardrailSettings, Guardrail, cel } from "./guardrail";

const ROUTES = ["httproutes", "tlsroutes", "tcproutes", "grpcroutes", "udproutes"];

/**
 * Gateway API objects judged like Istio's: a tenant's own Gateway is deployed for it (no `addresses`, which would
 * bind an existing deployment such as the egress gateway), and its routes attach only to its own Gateways or
 * Services and send only to Services: never to a platform namespace, a ServiceEntry or a bare hostname.
 */
export function gatewayApiGuardrail(s: AdmissionGuardrailSettings): Guardrail {
  const name = "tenant-gateway-api";
  const platform = cel([s.gatewayNamespace, s.controlPlaneNamespace]);
  const coreService = (ref: string) =>
    `((!has(${ref}.group) || ${ref}.group == '') && (!has(${ref}.kind) || ${ref}.kind == 'Service'))`;
  const ownNamespace = (ref: string) => `(!has(${ref}.namespace) || ${ref}.namespace == request.namespace)`;
  const mirrorsHome = (holder: string) =>
    `(!has(${holder}.filters) || ${holder}.filters.all(f, !has(f.requestMirror) || !has(f.requestMirror.backendRef) || (${coreService("f.requestMirror.backendRef")} && ${ownNamespace("f.requestMirror.backendRef")})))`;
  return {
    name,
    description:
      "Tenant Gateway API objects neither bind the egress gateway nor route through or to it, nor to an outside host.",
    resourceRules: [{ apiGroups: ["gateway.networking.k8s.io"], resources: ["gateways", ...ROUTES] }],
    scope: "tenants",
    validations: [
      {
        expression:
          "object.kind != 'Gateway' || !has(object.spec.addresses) || size(object.spec.addresses) == 0",
        message: `mesh-egress guardrail ${name}: a tenant Gateway may not set spec.addresses: Istio then binds an existing gateway deployment (the egress gateway's Service ${s.gatewayServiceHost} among them) instead of deploying one for it. Fix: remove addresses; Istio deploys the tenant's own gateway.`,
      },
      {
        expression:
          `object.kind == 'Gateway' || !has(object.spec.parentRefs) || object.spec.parentRefs.all(p, !(has(p.namespace) && p.namespace in ${platform}) && ` +
          `(((!has(p.group) || p.group == 'gateway.networking.k8s.io') && (!has(p.kind) || p.kind == 'Gateway')) || (${coreService("p")} && ${ownNamespace("p")})))`,
        message: `mesh-egress guardrail ${name}: a tenant route attaches only to a Gateway outside ${s.gatewayNamespace} and ${s.controlPlaneNamespace}, or to a Service of its own namespace (never a ServiceEntry: that routes an outside host). Fix: attach it to your own Gateway; external hosts come from the egress registry.`,
      },
      {
        // A requestMirror filter (on the rule or on a backendRef) sends a copy of each request to its backendRef too.
        expression: `object.kind == 'Gateway' || !has(object.spec.rules) || object.spec.rules.all(r, (!has(r.backendRefs) || r.backendRefs.all(b, ${coreService("b")} && ${ownNamespace("b")} && ${mirrorsHome("b")})) && ${mirrorsHome("r")})`,
        message: `mesh-egress guardrail ${name}: a tenant route sends (and mirrors, requestMirror) only to Services of its own namespace (no ServiceEntry, Hostname or other namespace's backend). Fix: route to your own Services; external hosts come from the egress registry.`,
      },
    ],
  };
}

/** A tenant VirtualService bound to the egress gateway's Gateway would add routes on the shared gateway. */
export function virtualServiceGatewayGuardrail(s: AdmissionGuardrailSettings): Guardrail {
  const name = "tenant-virtual-service-gateways";
  const platform = cel([s.gatewayNamespace, s.controlPlaneNamespace]);
  return {
    name,
    description: `A tenant VirtualService binds only to 'mesh' and Gateways outside ${s.gatewayNamespace} and ${s.controlPlaneNamespace}.`,
    resourceRules: [{ apiGroups: ["networking.istio.io"], resources: ["virtualservices"] }],
    scope: "tenants",
    validations: [
      {
        // Istio's resolveGatewayName: ns/name, else the legacy FQDN name.ns[.svc…], else a short name of this namespace.
        expression: `!has(object.spec.gateways) || object.spec.gateways.all(g, !((g.contains('/') ? g.split('/')[0] : g.contains('.') ? g.split('.')[1] : request.namespace) in ${platform}))`,
        message: `mesh-egress guardrail ${name}: a tenant VirtualService naming a Gateway in ${s.gatewayNamespace} or ${s.controlPlaneNamespace} (as <namespace>/<name> or the legacy <name>.<namespace>.svc.cluster.local) adds routes on the shared egress gateway. Fix: bind it to 'mesh' or your own Gateway.`,
      },
    ],
  };
}

/**
 * A tenant VirtualService or DestinationRule exported beyond its namespace (the default is '*') would route or
 * re-encrypt other tenants' traffic to the same host, a registered external one included: each stays home.
 */
export function tenantRoutingExportGuardrail(): Guardrail {
  const name = "tenant-routing-export";
  return {
    name,
    description: "A tenant VirtualService or DestinationRule is exported only to its own namespace.",
    resourceRules: [
      { apiGroups: ["networking.istio.io"], resources: ["virtualservices", "destinationrules"] },
    ],
    scope: "tenants",
    validations: [
      {
        expression:
          "has(object.spec.exportTo) && size(object.spec.exportTo) > 0 && object.spec.exportTo.all(e, e == '.' || e == request.namespace)",
        message: `mesh-egress guardrail ${name}: a tenant VirtualService or DestinationRule must be exported to its own namespace only (no exportTo means '*': it would route, or change TLS for, other tenants' traffic to the same host). Fix: set exportTo: ["."].`,
      },
    ],
  };
}
