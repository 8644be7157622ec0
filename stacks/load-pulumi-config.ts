import * as pulumi from "@pulumi/pulumi";
import type { EgressConfig } from "./model/egress-config";
import {
  CONFIG_NAMESPACE,
  decodePulumiConfigValue,
  parseEgressConfig,
  selectNamespacedValues,
} from "./load-config";
import { markDecryptedSecrets } from "./schema/values/pulumi-secrets";

/** `pulumi.runtime.isConfigSecret` is exported at run time but marked internal in the typings. */
const runtimeConfig = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };

/** Reads and validates the running stack's `mesh-egress:*` config. */
export function loadPulumiStackConfig(): EgressConfig {
  const raw = Object.fromEntries(
    Object.entries(pulumi.runtime.allConfig()).map(([key, value]) => [key, decodePulumiConfigValue(value)]),
  );
  // The engine hands over secrets decrypted; mark them so validation can refuse plain-text keys.
  const values = markDecryptedSecrets(
    selectNamespacedValues(raw, `stack ${pulumi.getStack()}`),
    (key) => runtimeConfig.isConfigSecret?.(`${CONFIG_NAMESPACE}:${key}`) ?? false,
  );
  return parseEgressConfig(values, `stack ${pulumi.getStack()}`);
}
