import { ANY_LABEL_VALUE, gatewayChartPodLabels } from "../../policy/contract";
import type { EgressConfig } from "../../stacks/model/egress-config";
import { gatewayChartValues } from "../egress-gateway";

/** Marks a label whose value a selector cannot be told apart from: any value counts as the gateway's. */
export const ANY_VALUE = ANY_LABEL_VALUE;

/** Every label an egress gateway pod carries (the contract's gatewayChartPodLabels, which the pack reads too). */
export function gatewayPodLabels(config: EgressConfig): Record<string, string> {
  return gatewayChartPodLabels({
    releaseName: config.gateway.releaseName,
    valuesLabels: gatewayChartValues(config).labels as Record<string, string>,
    ...(config.controlPlane.revision ? { revision: config.controlPlane.revision } : {}),
  });
}
