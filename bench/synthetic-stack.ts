import { routingModes, routingModeTraits } from "../stacks/routing-modes";

/**
 * A registry far larger than a real one: `services` services cycling through the four modes (two hosts
 * each) and `tenants` tenants allowed up to ten services each. A test keeps it a valid stack.
 */
export function syntheticStack(services: number, tenants: number): Record<string, unknown> {
  return {
    environment: "prod",
    issuers: [{ name: "bench-client-ca", ca: { secretName: "bench-client-ca-key-pair" } }],
    services: Array.from({ length: services }, (_, i) => ({
      name: `svc-${i}`,
      hosts: [`api-${i}.example.com`, `files-${i}.example.com`],
      mode: routingModes[i % routingModes.length],
      ...(routingModeTraits[routingModes[i % routingModes.length]].clientCertificate
        ? {
            tls: {
              credentialName: `svc-${i}-client`,
              clientCertificate: { issuer: "bench-client-ca", commonName: `mesh-egress-svc-${i}` },
              caBundle: { secretRef: { name: `svc-${i}-client-cacert` } },
            },
          }
        : {}),
    })),
    tenants: Array.from({ length: tenants }, (_, t) => ({ namespace: `tenant-${t}`, allow: allowed(t) })),
    // Prod needs a limit per tenant: HTTP for origination modes, TLS for passthrough modes.
    rateLimits: {
      tenants: Object.fromEntries(
        Array.from({ length: tenants }, (_, t) => {
          const modes = allowed(t).map((name) => routingModes[Number(name.slice(4)) % routingModes.length]);
          return [
            `tenant-${t}`,
            {
              ...(modes.some((m) => m.startsWith("originate"))
                ? { http: { requests: 100, per: "second" } }
                : {}),
              ...(modes.some((m) => m.startsWith("passthrough"))
                ? { tls: { connections: 20, per: "second", maxConcurrent: 200 } }
                : {}),
            },
          ];
        }),
      ),
    },
  };

  function allowed(t: number): string[] {
    return Array.from({ length: Math.min(10, services) }, (_, k) => `svc-${(t * 7 + k) % services}`).filter(
      (v, idx, all) => all.indexOf(v) === idx,
    );
  }
}
