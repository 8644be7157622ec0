/**
 * The admission guardrails the program deploys (components/admission-guardrails.ts), by the suffix of
 * their `mesh-egress-<name>` policy and binding. A test keeps the two lists equal.
 */
export const REQUIRED_GUARDRAILS: readonly string[] = [
  "gateway-selector",
  "service-entry-registry",
  "network-policy-internal-egress",
  "destination-rule-gateway-host",
  "envoy-filter-gateway",
  "sidecar-registry-only",
  "platform-objects",
  "tenant-namespace",
  "tenant-pod-security",
  "tenant-pod-istio-knobs",
  "tenant-service-entry",
  "tenant-workload-entry",
  "tenant-service-endpoints",
  "tenant-envoy-filter",
  "tenant-gateway-api",
  "tenant-virtual-service-gateways",
  "tenant-routing-export",
  "tenant-telemetry",
  "tenant-cni-policies",
  "tenant-proxy-config",
  "tenant-proxy-exec",
];
