import * as pulumi from "@pulumi/pulumi";
import type { KubernetesObject } from "../kubernetes-object";
import { decryptedCaKey } from "../origination-issuers";
import { childName, registerKubernetesObject, upstreamOf } from "./register-manifests";
import { OriginationCertificateManifests } from "../origination-certificates";

export interface OriginationCertificatesArgs {
  /** What `buildOriginationCertificateManifests` built: issuers and each service's trust objects. */
  readonly manifests: OriginationCertificateManifests;
  /** Resources every object waits for: the gateway namespace and cert-manager (its CRDs). Default: none. */
  readonly after?: readonly pulumi.Resource[];
}

/**
 * The roots of origination: issuers, the client certificates they sign, and the external servers'
 * roots. Order is explicit: `after` (cert-manager, the gateway namespace) → issuer prerequisites →
 * issuers → certificates; each service's objects are exposed for its ExternalService to wait on.
 */
export class OriginationCertificates extends pulumi.ComponentResource {
  private readonly byService = new Map<string, pulumi.Resource[]>();

  constructor(name: string, args: OriginationCertificatesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-egress:index:OriginationCertificates", name, {}, opts);
    const upstream = [...upstreamOf(opts), ...(args.after ?? [])];
    const register = (
      object: KubernetesObject,
      dependsOn: pulumi.Input<pulumi.Resource>[],
      secret?: Record<string, string>,
    ) => registerKubernetesObject(childName(name, object), object, { parent: this, dependsOn }, secret);

    const issuers = new Map<string, pulumi.Resource>();
    for (const { issuer, prerequisites, issuerObject } of args.manifests.issuers) {
      let previous: pulumi.Resource[] = [];
      for (const object of prerequisites) {
        // The bootstrap is a chain (self-signed issuer → CA certificate), the RBAC one too.
        previous = [register(object, [...upstream, ...previous], decryptedCaKey(object, issuer))];
      }
      issuers.set(issuer.name, register(issuerObject, [...upstream, ...previous]));
    }

    for (const { service, clientCertificate: certificate, serverRoots } of args.manifests.services) {
      const registered: pulumi.Resource[] = [];
      if (certificate) {
        const issuer = issuers.get(service.tls!.clientCertificate!.issuer);
        registered.push(register(certificate, [...upstream, ...(issuer ? [issuer] : [])]));
      }
      if (serverRoots) {
        registered.push(register(serverRoots, upstream));
      }
      this.byService.set(service.name, registered);
    }
    this.registerOutputs({});
  }

  /** What a service's origination rule needs to exist first: its client certificate and server roots. */
  dependenciesOf(serviceName: string): pulumi.Resource[] {
    return [...(this.byService.get(serviceName) ?? [])];
  }
}
