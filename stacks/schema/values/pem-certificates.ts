import { createPrivateKey, X509Certificate } from "crypto";

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** The certificates of a PEM bundle, or why it is not one. Never includes key material in a message. */
export function parsePemCertificates(pem: string): { certificates: X509Certificate[] } | { problem: string } {
  const blocks = pem.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) return { problem: "holds no complete PEM certificate block" };
  if (/PRIVATE KEY-----/.test(pem)) {
    return {
      problem: "contains a private key: a bundle holds certificates only (and the key is now exposed)",
    };
  }
  const certificates: X509Certificate[] = [];
  for (const [i, block] of blocks.entries()) {
    try {
      certificates.push(new X509Certificate(block));
    } catch {
      return { problem: `certificate ${i + 1} of ${blocks.length} does not parse as X.509` };
    }
  }
  return { certificates };
}

/** Bits of an RSA key, or the curve size of an EC key, as cert-manager's size field counts them. */
export function publicKeyStrength(certificate: X509Certificate): { algorithm: string; size?: number } {
  const key = certificate.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === "rsa") return { algorithm: "RSA", size: details.modulusLength };
  if (key.asymmetricKeyType === "ec") {
    const curveBits: Record<string, number> = { prime256v1: 256, secp384r1: 384, secp521r1: 521 };
    return { algorithm: "ECDSA", size: curveBits[details.namedCurve ?? ""] };
  }
  return { algorithm: key.asymmetricKeyType ?? "unknown" };
}

/** True when the PEM private key belongs to the certificate; false when it does not or does not parse. */
export function privateKeyMatches(certificate: X509Certificate, privateKeyPem: string): boolean {
  try {
    return certificate.checkPrivateKey(createPrivateKey(privateKeyPem));
  } catch {
    return false;
  }
}
