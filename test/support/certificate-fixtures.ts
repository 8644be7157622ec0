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

/** A leaf certificate (CA:FALSE): it cannot sign client certificates. */
export const LEAF_CERTIFICATE_PEM = `
-----BEGIN CERTIFICATE-----
MIIBijCCATCgAwIBAgIUYO6/5EMjbfV58qCTNh9Mc+jvlz4wCgYIKoZIzj0EAwIw
GzEZMBcGA1UEAwwQbm90LWEtY2EuZXhhbXBsZTAgFw0yNjExMjUwNTMzNTlaGA8y
MTI2MTEwMTA1MzM1OVowGzEZMBcGA1UEAwwQbm90LWEtY2EuZXhhbXBsZTBZMBMG
ByqGSM49AgEGCCqGSM49AwEHA0IABKrCmj+mxcxrBIqsgFHq6D4Q2nnPjZ+xZmZh
Nk6frNDAShh59cAAP5N4lFOwNk6oOuk5JI9jwSxc9Qi3wsC/m9ijUDBOMB0GA1Ud
DgQWBBT9wSaUqQSO8W9jgZWOe52bZoj0VTAfBgNVHSMEGDAWgBT9wSaUqQSO8W9j
gZWOe52bZoj0VTAMBgNVHRMBAf8EAjAAMAoGCCqGSM49BAMCA0gAMEUCIQCTFG6c
5aPT++e3/KuB1/CoFLguX+o3cHmfA2S4s2pipwIgHRSVfl9Uuw9pxsqGng6S68hb
bFbPDIey1Vbv7xkSDKY=
-----END CERTIFICATE-----
`.trimStart();

/** A CA certificate with a weak 1024-bit RSA key. */
export const WEAK_RSA_CA_PEM = `
-----BEGIN CERTIFICATE-----
MIICEjCCAXugAwIBAgIUWbyQ+jrTtVEt+NuQYNV5ABiKQU0wDQYJKoZIhvcNAQEL
BQAwGjEYMBYGA1UEAwwPd2VhayByc2ExMDI0IENBMCAXDTI2MTEyNTA1MzM1OVoY
DzIxMjYxMTAxMDUzMzU5WjAaMRgwFgYDVQQDDA93ZWFrIHJzYTEwMjQgQ0EwgZ8w
DQYJKoZIhvcNAQEBBQADgY0AMIGJAoGBAKSoHcKoc86g/W7EgXSsscVWD7/DcVeB
UbwHWYZOkLFG/smGjwwz4dbKNcliPeHWrKpFSxru9dEmtB9YuPV5XeSAe0aRdqHp
IUtgYG4JNcknhrpkSh8Q64jObUwI71KC/pbdfjNnW0f4AfxZVzpJu5Ik3t/g6FBh
Josb+ydec0hVAgMBAAGjUzBRMB0GA1UdDgQWBBS0o/bqI32sFCS8A03ZX3IOp035
9DAfBgNVHSMEGDAWgBS0o/bqI32sFCS8A03ZX3IOp0359DAPBgNVHRMBAf8EBTAD
AQH/MA0GCSqGSIb3DQEBCwUAA4GBAJtITbbDKL7CVAgkU5gimz/ZoYP2gQnBpwdS
JGC9JO+0sTTFgrcRD6qYfpiP40g0KhqYm2Kpr1ootFyZIWzSeVAsW84hHwB+EWf8
gilMVlBfU7U2k/LwzoCfkw24MFMuLYWokrB1mCAPZa3mF4eN6rSuHjZ0k9J0vV1U
EnXqz/BT
-----END CERTIFICATE-----
`.trimStart();

/**
 * A CA key pair made for these tests alone (EC P-256, CA:TRUE) and trusted nowhere: the CA path of a
 * Pulumi-secret key needs a certificate and the key that belongs to it.
 */
export const THROWAWAY_CA = {
  certificate: `
-----BEGIN CERTIFICATE-----
MIIB7jCCAZWgAwIBAgIUJCfPR/GHz2y/lYxilE6YQLQmg5EwCgYIKoZIzj0EAwIw
RDEaMBgGA1UECgwRbWVzaC1lZ3Jlc3MgdGVzdHMxJjAkBgNVBAMMHW1lc2gtZWdy
ZXNzIHRocm93YXdheSB0ZXN0IENBMCAXDTI2MTEyNTA1MzM1OVoYDzIxMjYxMTAx
MDUzMzU5WjBEMRowGAYDVQQKDBFtZXNoLWVncmVzcyB0ZXN0czEmMCQGA1UEAwwd
bWVzaC1lZ3Jlc3MgdGhyb3dhd2F5IHRlc3QgQ0EwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAATTPg1JEVaB9Xmz/SlY3Edbj8BYBWfZwM9G2dNuNZ9BK7207jT/l6Dh
MfHW2Pavfj+C1P4wNeMHJP9Kisj/WTUQo2MwYTAdBgNVHQ4EFgQUgxHR+VSEz/3v
GoCuY8FAyfJLONAwHwYDVR0jBBgwFoAUgxHR+VSEz/3vGoCuY8FAyfJLONAwDwYD
VR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAQYwCgYIKoZIzj0EAwIDRwAwRAIg
BUHRGEUF7pX+QThk6G+bAaoJGI5dxTud8XYWC2MVwYsCIEEgSFLIvgrumY08DoOT
Ku1a0CyMyGWsje2TPYSWghTw
-----END CERTIFICATE-----
`.trimStart(),
  privateKey: `
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgHQcF8kqCr98Gve5l
20DlHMItZ8JfJXarEY1NOKgsw62hRANCAATTPg1JEVaB9Xmz/SlY3Edbj8BYBWfZ
wM9G2dNuNZ9BK7207jT/l6DhMfHW2Pavfj+C1P4wNeMHJP9Kisj/WTUQ
-----END PRIVATE KEY-----
`.trimStart(),
};

/** An issuer every mutual fixture can name, valid in both tiers: a CA issuer over an existing Secret. */
export const FIXTURE_ISSUER = { name: "egress-client-ca", ca: { secretName: "egress-client-ca" } };

/** The mutual-TLS part of a service's tls block: client certificate from FIXTURE_ISSUER, partner roots. */
export function mutualTlsFixture(commonName: string): Record<string, unknown> {
  return {
    clientCertificate: { issuer: FIXTURE_ISSUER.name, commonName },
    caBundle: { pem: PARTNER_ROOT_PEM },
  };
}

/** Raw stack values with one issuer of each kind, a mutual service, and an originate service verified against a private CA. */
export function certificateStackValues(environment: "dev" | "prod" = "dev"): Record<string, any> {
  return {
    environment,
    certManager: { install: true },
    issuers: [
      ...(environment === "dev" ? [{ name: "dev-root", selfSigned: { commonName: "Acme dev root" } }] : []),
      { name: "corp-ca", ca: { secretName: "corp-egress-ca" } },
      {
        name: "inline-ca",
        kind: "ClusterIssuer",
        ca: { certificate: THROWAWAY_CA.certificate, privateKey: { secure: "v1:AAABBBCCC" } },
      },
      {
        name: "vault-pki",
        vault: {
          server: "https://vault.example.com:8200",
          path: "pki_egress/sign/clearing",
          caBundle: OTHER_ROOT_PEM,
          auth: { kubernetes: { role: "egress-clients" } },
        },
      },
    ],
    services: [
      {
        name: "partner",
        hosts: ["api.partner.example"],
        mode: "originate-mutual",
        tls: {
          credentialName: "partner-client",
          clientCertificate: {
            issuer: "corp-ca",
            commonName: "acme-egress",
            dnsNames: ["egress.acme.example"],
            uris: ["spiffe://acme.example/egress/partner"],
            subject: { organizations: ["Acme Ltd"], countries: ["GB"] },
          },
          caBundle: { pem: PARTNER_ROOT_PEM },
        },
      },
      {
        name: "fx",
        hosts: ["rates.fx.example"],
        mode: "originate",
        tls: { caBundle: { pem: OTHER_ROOT_PEM } },
      },
      { name: "openai", hosts: ["api.openai.com"], mode: "originate" },
    ],
    tenants: [{ namespace: "settlement", allow: ["partner", "fx", "openai"] }],
    rateLimits: { tenants: { settlement: { http: { requests: 20, per: "second" } } } },
  };
}
