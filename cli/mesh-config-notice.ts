import { stringify } from "yaml";
import { meshConfigForAccessLog } from "../components/gateway-access-log";
import type { EgressConfig } from "../stacks/model/egress-config";

/**
 * For stacks that do not install istiod: the mesh config the cluster's istiod must carry for the
 * gateway's Telemetry to log, as a YAML comment ahead of the rendered documents. Empty otherwise.
 */
export function meshConfigNotice(config: EgressConfig): string {
  if (config.controlPlane.install) return "";
  const meshConfig = stringify(meshConfigForAccessLog(), { lineWidth: 0 }).trimEnd().split("\n");
  return [
    "# This stack does not install istiod. For the egress gateway's access log (caller identity",
    "# included), istiod's meshConfig must define this provider (IstioOperator spec.meshConfig,",
    `# istiod chart values.meshConfig, or the \`mesh\` key of the istio ConfigMap in ${config.controlPlane.namespace}):`,
    "#",
    ...meshConfig.map((line) => `#   ${line}`),
    "",
  ].join("\n");
}
