import type { ExternalServiceConfig } from "./egress-config";
import { traitsOf } from "./routing-modes";

/**
 * Where the gateway finds the roots that verify an external server. For a DestinationRule with
 * `credentialName: X`, istiod serves the validation context from the Secret `X-cacert` (key
 * `cacert`, else `ca.crt`) in the gateway namespace, and only when that Secret is missing falls back
 * to X's own `cacert`/`ca.crt`. For a cert-manager Secret that fallback is `ca.crt`: the *client*
 * issuer's CA, which cannot verify the external server. So the server's roots always go to `X-cacert`.
 */
export const SERVER_ROOTS_SUFFIX = "-cacert";

/** The key istiod reads first in a `-cacert` Secret. */
export const SERVER_ROOTS_KEY = "cacert";

/** Keys istiod reads server roots from, in its order of preference. */
export const SERVER_ROOTS_KEYS: readonly string[] = [SERVER_ROOTS_KEY, "ca.crt"];

/** The Secret holding the server roots for a DestinationRule credential. */
export function serverRootsSecretName(credentialName: string): string {
  return `${credentialName}${SERVER_ROOTS_SUFFIX}`;
}

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
