import { sidecarRegistryOnly } from "./sidecar-registry-only";
import { sidecarEgressHostsScoped } from "./sidecar-egress-hosts-scoped";
import { sidecarImportsGatewayHostsByName } from "./sidecar-imports-gateway-hosts-by-name";
import { tenantEgressDefaultDeny } from "./tenant-egress-default-deny";
import { networkPolicyNoInternetEgress } from "./network-policy-no-internet-egress";
import { tenantEgressPlatformNamespacesPortScoped } from "./tenant-egress-platform-namespaces-port-scoped";
import { tenantSidecarInjectionEnabled } from "./tenant-sidecar-injection-enabled";
import { namespaceInjectionLabelsNotMixed } from "./namespace-injection-labels-not-mixed";
import { sidecarInterceptionNotNarrowed } from "./sidecar-interception-not-narrowed";
import { serviceNotExternalAlias } from "./service-not-external-alias";
import { clusterEgressLockedOutsideGateway } from "./cluster-egress-locked-outside-gateway";
import { tenantPodsWithinBaseline } from "./tenant-pods-within-baseline";
import { proxyIdentityOnlyForInjectedContainers } from "./proxy-identity-only-for-injected-containers";
import { tenantPodIstioKnobsAllowed } from "./tenant-pod-istio-knobs-allowed";
import { cniPolicyNoInternetEgress } from "./cni-policy-no-internet-egress";
import { tenantRoutingExportedToOwnNamespace } from "./tenant-routing-exported-to-own-namespace";
import { Rule } from "../../engine/rule";

/** The tenant-isolation rules, in catalog order (docs/reference/rules.md and CrossGuard list them so). */
export const tenantIsolationRules: readonly Rule[] = [
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
