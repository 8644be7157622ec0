/**
 * Pulumi secrets inside structured config. In a stack file a secret reads `{secure: v1:…}` and only
 * the engine can decrypt it; under `pulumi up` the engine hands the program the decrypted text and
 * the list of keys that held secrets. The program marks those values here so that validation can
 * tell a decrypted secret from plain text someone typed into the stack file.
 */

/**
 * A value the engine decrypted. Not representable in YAML, so a stack file cannot forge one; it
 * never prints its content (JSON, string conversion and util.inspect all show a placeholder).
 */
export class DecryptedSecret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The plaintext: only for `pulumi.secret(...)` at registration time. */
  reveal(): string {
    return this.#value;
  }

  toJSON(): string {
    return "[secret]";
  }

  toString(): string {
    return "[secret]";
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return "DecryptedSecret([secret])";
  }
}

/**
 * Paths inside `mesh-egress:<key>` values that hold secret material, as [key, ...path] with `*`
 * for every list item. Each must be set with `pulumi config set --secret --path`.
 */
export const SECRET_CONFIG_PATHS: readonly (readonly string[])[] = [
  ["issuers", "*", "ca", "privateKey"],
  ["rateLimits", "global", "redis", "existing", "url"],
];

/**
 * Wraps the strings at SECRET_CONFIG_PATHS in DecryptedSecret when their top-level key is one the
 * engine reported as secret. A string under a non-secret key stays a string: it was typed in plain
 * text, and validation refuses it.
 */
export function markDecryptedSecrets(
  values: Record<string, unknown>,
  isSecretKey: (key: string) => boolean,
): Record<string, unknown> {
  const marked: Record<string, unknown> = { ...values };
  for (const [key, ...path] of SECRET_CONFIG_PATHS) {
    if (key in marked && isSecretKey(key)) marked[key] = wrapAt(marked[key], path);
  }
  return marked;
}

function wrapAt(value: unknown, path: readonly string[]): unknown {
  if (path.length === 0) return typeof value === "string" ? new DecryptedSecret(value) : value;
  const [head, ...rest] = path;
  if (head === "*") return Array.isArray(value) ? value.map((item) => wrapAt(item, rest)) : value;
  if (typeof value !== "object" || value === null || Array.isArray(value) || !(head in value)) return value;
  return { ...value, [head]: wrapAt((value as Record<string, unknown>)[head], rest) };
}
