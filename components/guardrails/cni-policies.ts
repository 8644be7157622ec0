import { AdmissionGuardrailSettings, Guardrail, tenantMayOpen } from "./guardrail";

/**
 * CNI policy kinds are allow rules beside our NetworkPolicy: where Cilium's or Calico's CRDs exist, a tenant's are
 * judged like its NetworkPolicies (in-cluster peers and tenant-openable ranges only). Calico's projectcalico.org
 * API is served by its own API server, which stores through crd.projectcalico.org: matching that catches both.
 */
export function cniPoliciesGuardrail(s: AdmissionGuardrailSettings): Guardrail {
  const name = "tenant-cni-policies";
  const open = (c: string) => tenantMayOpen(c, s);
  const ranges = `${s.tenantOpenableRanges.join(", ")}; never ${s.neverOpenableRanges.join(", ")}`;
  // A Cilium egress rule without an L3 peer allows every destination on its ports.
  const ciliumRule =
    "(has(r.toEndpoints) || has(r.toCIDR) || has(r.toCIDRSet) || has(r.toEntities) || has(r.toServices)) && !has(r.toFQDNs) && !has(r.toGroups) && " +
    // Cilium scopes a selector to the policy's namespace unless it names a reserved: identity (world, host, …).
    "(!has(r.toEndpoints) || r.toEndpoints.all(sel, (!has(sel.matchLabels) || sel.matchLabels.all(k, !k.startsWith('reserved:'))) && (!has(sel.matchExpressions) || sel.matchExpressions.all(e, !e.key.startsWith('reserved:'))))) && " +
    `(!has(r.toCIDR) || r.toCIDR.all(c, ${open("c")})) && (!has(r.toCIDRSet) || r.toCIDRSet.all(c, has(c.cidr) && ${open("c.cidr")})) && ` +
    "(!has(r.toEntities) || r.toEntities.all(e, e == 'cluster'))";
  const ciliumSpec = (spec: string) => `(!has(${spec}.egress) || ${spec}.egress.all(r, ${ciliumRule}))`;
  const calicoRule =
    // Every rule names its action (Felix lowercases it; the v3 API requires it); global() selects the cluster's GlobalNetworkSets.
    "has(r.action) && (r.action == 'Deny' || r.action == 'Log' || (r.action == 'Allow' && has(r.destination) && !has(r.destination.domains) && !has(r.destination.notNets) && " +
    "!(has(r.destination.namespaceSelector) && r.destination.namespaceSelector.contains('global(')) && " +
    "(has(r.destination.nets) || has(r.destination.selector) || has(r.destination.namespaceSelector) || has(r.destination.serviceAccounts) || has(r.destination.services)) && " +
    `(!has(r.destination.nets) || r.destination.nets.all(n, ${open("n")}))))`;
  return {
    name,
    description:
      "Tenant CiliumNetworkPolicies and Calico NetworkPolicies allow egress only to in-cluster peers and the ranges a tenant may open.",
    resourceRules: [
      { apiGroups: ["cilium.io"], resources: ["ciliumnetworkpolicies"] },
      {
        apiGroups: ["crd.projectcalico.org", "projectcalico.org"],
        resources: ["networkpolicies", "networksets"],
      },
    ],
    scope: "tenants",
    validations: [
      {
        expression: `object.kind != 'CiliumNetworkPolicy' || ((!has(object.spec) || ${ciliumSpec("object.spec")}) && (!has(object.specs) || object.specs.all(sp, ${ciliumSpec("sp")})))`,
        message: `mesh-egress guardrail ${name}: a tenant CiliumNetworkPolicy's egress rules name an in-cluster peer (toEndpoints, toServices, toEntities: cluster) or toCIDR/toCIDRSet in the ranges a tenant may open (${ranges}); no toFQDNs or toGroups, no reserved: identity (world) in toEndpoints, no rule without a peer. Fix: remove the rule; external services go through the egress gateway.`,
      },
      {
        expression: `object.kind != 'NetworkPolicy' || !has(object.spec.egress) || object.spec.egress.all(r, ${calicoRule})`,
        message: `mesh-egress guardrail ${name}: a tenant Calico NetworkPolicy's egress rules Allow only a destination with in-cluster selectors or nets in the ranges a tenant may open (${ranges}); every rule with an action; no domains, notNets, global() namespaceSelector, Pass, or Allow without a destination. Fix: remove the rule; external services go through the egress gateway.`,
      },
      {
        // A Calico selector in a policy matches the NetworkSets of its namespace: their nets are destinations too.
        expression: `object.kind != 'NetworkSet' || ((!has(object.spec) || !has(object.spec.nets) || object.spec.nets.all(n, ${open("n")})) && !(has(object.spec) && has(object.spec.allowedEgressDomains)))`,
        message: `mesh-egress guardrail ${name}: a tenant Calico NetworkSet holds only nets in the ranges a tenant may open (${ranges}) and no allowedEgressDomains: a policy's selector matching it allows them. Fix: remove the outside nets; external services go through the egress gateway.`,
      },
    ],
  };
}
