import type { PrivateKeySpec } from "../stacks/model/egress-config";
import { COMPONENT_LABEL, PART_OF, PART_OF_LABEL } from "../policy/contract";

/** cert-manager's API version for Issuers, ClusterIssuers and Certificates. */
export const CERT_MANAGER_API = "cert-manager.io/v1";
const CERT_MANAGER_GROUP = "cert-manager.io";

/** The component label on every origination object. */
export const originationComponent = () => ({ [COMPONENT_LABEL]: "origination-certificates" });

/** A reference to the issuer that signs a certificate. */
export function issuerRef(name: string, kind: string) {
  return { name, kind, group: CERT_MANAGER_GROUP };
}

/** cert-manager's privateKey block: re-keyed on every renewal, so a leaked key dies with its certificate. */
export function privateKeyBlock(key: PrivateKeySpec): Record<string, unknown> {
  return {
    algorithm: key.algorithm,
    ...(key.size !== undefined ? { size: key.size } : {}),
    rotationPolicy: "Always",
  };
}

/** Labels cert-manager copies onto the Secrets it writes (it manages them, Pulumi does not). */
export function secretLabels(extra: Record<string, string>): Record<string, string> {
  return { [PART_OF_LABEL]: PART_OF, ...extra };
}
