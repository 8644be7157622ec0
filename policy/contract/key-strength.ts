/**
 * Private-key strength, shared by the program's config schema and the pack's certificate rule, so
 * the stack refuses exactly what the policy would flag.
 */

/** Key algorithms cert-manager issues. */
export const KEY_ALGORITHMS = ["ECDSA", "RSA", "Ed25519"] as const;
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];

/** The size cert-manager uses when a Certificate names none; Ed25519 has none. */
export const DEFAULT_KEY_SIZE: Readonly<Record<KeyAlgorithm, number | undefined>> = {
  ECDSA: 256,
  RSA: 2048,
  Ed25519: undefined,
};

/** The weakest RSA modulus, in bits, either side accepts. */
export const MIN_RSA_KEY_SIZE = 2048;

/** RSA sizes cert-manager accepts. */
export const RSA_KEY_SIZES: readonly number[] = [2048, 4096, 8192];

/** ECDSA sizes: the NIST curves P-256, P-384 and P-521. */
export const ECDSA_KEY_SIZES: readonly number[] = [256, 384, 521];

/** The size cert-manager uses for an algorithm named in a Certificate, which may be any string. */
export function defaultKeySize(algorithm: string): number | undefined {
  return (KEY_ALGORITHMS as readonly string[]).includes(algorithm)
    ? DEFAULT_KEY_SIZE[algorithm as KeyAlgorithm]
    : undefined;
}
