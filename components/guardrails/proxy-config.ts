import { TENANT_PROXY_CONFIG_SPEC_FIELDS } from "../../policy/contract";
import { Guardrail } from "./guardrail";

/** What a tenant ProxyConfig may set, shared with the pack: the CRD's spec has these and environmentVariables and image (unknown fields are pruned). */
const TENANT_PROXY_CONFIG_SPEC = TENANT_PROXY_CONFIG_SPEC_FIELDS;

/**
 * A ProxyConfig (networking.istio.io) in a tenant namespace configures every proxy it selects at injection: its
 * environmentVariables become the proxy's env (ProxyMetadata), which the CNI plugin and the agent read (DISABLE_ENVOY,
 * ISTIO_DUAL_STACK, PROXY_CONFIG, …), and its image another proxy image. proxy.istio.io/config may set neither; this
 * closes the same knob as an object.
 */
export function tenantProxyConfigGuardrail(): Guardrail {
  const name = "tenant-proxy-config";
  return {
    name,
    description: `A tenant ProxyConfig sets only ${TENANT_PROXY_CONFIG_SPEC.join(" and ")}: no proxy environment, no other image.`,
    resourceRules: [{ apiGroups: ["networking.istio.io"], resources: ["proxyconfigs"] }],
    scope: "tenants",
    validations: [
      {
        expression:
          "!has(object.spec) || (!has(object.spec.environmentVariables) && !has(object.spec.image))",
        message: `mesh-egress guardrail ${name}: a tenant ProxyConfig may set only ${TENANT_PROXY_CONFIG_SPEC.join(" and ")}: environmentVariables become the proxy's environment (DISABLE_ENVOY or ISTIO_DUAL_STACK=false leave pods uncaptured) and image swaps the proxy. Fix: remove them; ask the platform team for a mesh-wide proxy setting.`,
      },
    ],
  };
}
