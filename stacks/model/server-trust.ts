import { SERVER_ROOTS_SUFFIX } from "../../policy/contract";
import type { ExternalServiceConfig } from "./egress-config";
import { traitsOf } from "../routing-modes";

/**
 * The `credentialName` of a service's origination rule: the client certificate's Secret for
 * originate-mutual; for originate with a private CA bundle, a name whose `-cacert` Secret holds only
 * the roots (the referenced Secret's name without the suffix, or `<service>-server` for a PEM).
 * Undefined when the gateway verifies with its system roots.
 */
export function originationCredentialName(service: ExternalServiceConfig): string | undefined {
  const traits = traitsOf(service);
  if (traits.clientCertificate) return service.tls?.credentialName;
  const bundle = service.tls?.caBundle;
  if (traits.origination === "none" || !bundle) return undefined;
  if ("secretRef" in bundle && bundle.secretRef.name.endsWith(SERVER_ROOTS_SUFFIX)) {
    return bundle.secretRef.name.slice(0, -SERVER_ROOTS_SUFFIX.length);
  }
  return `${service.name}-server`;
}
