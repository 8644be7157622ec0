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
