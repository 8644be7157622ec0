/**
 * Certificates for tests: public CA certificates only (their keys were discarded when they were made),
 * and the smallest config that gives an originate-mutual service its client certificate and server roots.
 */

/** A private root a partner's server certificate chains to (ECDSA P-256, CA:TRUE). */
export const PARTNER_ROOT_PEM = `
-----BEGIN CERTIFICATE-----
MIICFjCCAbugAwIBAgIUf+FvI1/m0wL+6F252kNlZ4AcbYIwCgYIKoZIzj0EAwIw
WDELMAkGA1UEBhMCTkwxHjAcBgNVBAoMFUNsZWFyaW5nIFBhcnRuZXIgQi5WLjEp
MCcGA1UEAwwgQ2xlYXJpbmcgUGFydG5lciBTYW5kYm94IFJvb3QgQ0EwHhcNMjYx
MTI1MDUyOTUwWhcNMzYxMTIyMDUyOTUwWjBYMQswCQYDVQQGEwJOTDEeMBwGA1UE
CgwVQ2xlYXJpbmcgUGFydG5lciBCLlYuMSkwJwYDVQQDDCBDbGVhcmluZyBQYXJ0
bmVyIFNhbmRib3ggUm9vdCBDQTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABIWm
XRUDQkd1632HcEVqSUQHD4X/6yygRyVHlJeX36IifO83LnVmubAN5rpoOTpsOiYz
G0Y3Iv1anhTy/cLm/1SjYzBhMB0GA1UdDgQWBBS/gEzX71en1RWWxT5q0pLi8DhZ
6zAfBgNVHSMEGDAWgBS/gEzX71en1RWWxT5q0pLi8DhZ6zAPBgNVHRMBAf8EBTAD
AQH/MA4GA1UdDwEB/wQEAwIBBjAKBggqhkjOPQQDAgNJADBGAiEA3g/A4qoowSNV
QhVg2IJYkuSbynSFUPMFzFJYYnr2SNICIQDLxrtoAcGXWIWjxD2UevyWGMVeLxuO
FRCR1jTgHxe19g==
-----END CERTIFICATE-----
`.trimStart();

/** A second, unrelated root (ECDSA P-384, CA:TRUE), e.g. for a Vault server or a second bundle. */
export const OTHER_ROOT_PEM = `
-----BEGIN CERTIFICATE-----
MIICOjCCAcCgAwIBAgIUPApC8M7MnibDJfTLxPnNvQIGGXAwCgYIKoZIzj0EAwIw
TDESMBAGA1UECgwJQWNtZSBDb3JwMREwDwYDVQQLDAhQbGF0Zm9ybTEjMCEGA1UE
AwwaQWNtZSBDb3JwIEludGVybmFsIFJvb3QgQ0EwHhcNMjYxMTI1MDUyOTUwWhcN
NDYxMTIwMDUyOTUwWjBMMRIwEAYDVQQKDAlBY21lIENvcnAxETAPBgNVBAsMCFBs
YXRmb3JtMSMwIQYDVQQDDBpBY21lIENvcnAgSW50ZXJuYWwgUm9vdCBDQTB2MBAG
ByqGSM49AgEGBSuBBAAiA2IABGfTbsHIE3GU2wE+RaVvhRqKo0AhEsOh7mgznPot
IIFMB8bpxmY1yeo8IXNRxOg0tEYg6jprCRVK7xBm/NHPqlVgqLVq/bUXigT7Ib5X
hgSHLjJXxzAzVNuTEQEzIfsKrqNjMGEwHQYDVR0OBBYEFGD2RFpgBhuBF4fv5TXH
MwCUSnKkMB8GA1UdIwQYMBaAFGD2RFpgBhuBF4fv5TXHMwCUSnKkMA8GA1UdEwEB
/wQFMAMBAf8wDgYDVR0PAQH/BAQDAgEGMAoGCCqGSM49BAMCA2gAMGUCMQCjPMq2
IIk15TUFaZqniAzzVJMwYDxeNa1c0MyFxCZDUdLFjgNcPuf/wkBnDWSkx6sCMDW/
a26w5LGec9rbT6AYiipBej3AFn+2EEmCGsyvXXgz4tdvRjTGGpMW1YMUWpK0ig==
-----END CERTIFICATE-----
`.trimStart();

/** An issuer every mutual fixture can name, valid in both tiers: a CA issuer over an existing Secret. */
export const FIXTURE_ISSUER = { name: "egress-client-ca", ca: { secretName: "egress-client-ca" } };

/** The mutual-TLS part of a service's tls block: client certificate from FIXTURE_ISSUER, partner roots. */
export function mutualTlsFixture(commonName: string): Record<string, unknown> {
  return {
    clientCertificate: { issuer: FIXTURE_ISSUER.name, commonName },
    caBundle: { pem: PARTNER_ROOT_PEM },
  };
}
