import * as pulumi from "@pulumi/pulumi";
import type { EgressConfig } from "./egress-config";
import { decodePulumiConfigValue, parseEgressConfig, selectNamespacedValues } from "./load-config";

/** Reads and validates the running stack's `mesh-egress:*` config. */
export function loadPulumiStackConfig(): EgressConfig {
  const raw = Object.fromEntries(
    Object.entries(pulumi.runtime.allConfig()).map(([key, value]) => [key, decodePulumiConfigValue(value)]),
  );
  return parseEgressConfig(selectNamespacedValues(raw), `stack ${pulumi.getStack()}`);
}
