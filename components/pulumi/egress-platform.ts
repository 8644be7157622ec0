import * as pulumi from "@pulumi/pulumi";
import type { EgressConfig } from "../../stacks/model/egress-config";
import { allowedServices } from "../../stacks/relations/grants";
import { registrySummary, RegistryEntry } from "../egress-platform";
import { gatewayServiceHost } from "../gateway-endpoint";
import { hasOriginationCertificates } from "../origination-certificates";
import { buildPlatformManifests, PlatformManifests } from "../platform-manifests";
import { redisUrlSecretData } from "../rate-limits";
import { allowedDestinations } from "../tenant";
import { AdmissionGuardrails } from "./admission-guardrails";
import { BreakGlass } from "./break-glass";
import { CertManagerInstallation } from "./cert-manager";
import { ClusterEgressLock } from "./cluster-egress-lock";
import { ControlPlane } from "./control-plane";
import { EgressGateway } from "./egress-gateway";
import { ExternalService } from "./external-service";
import { Observability } from "./observability";
import { OriginationCertificates } from "./origination-certificates";
import { RateLimits } from "./rate-limits";
import { Tenant } from "./tenant";

export interface EgressPlatformArgs {
  /** The validated, baseline-resolved configuration of the stack: read for the stack outputs. */
  readonly config: EgressConfig;
  /** What `buildPlatformManifests(config)` built, the objects render and lint see. Default: built from `config`. */
  readonly manifests?: PlatformManifests;
}

/**
 * The whole egress path. Order is explicit: control plane (CRDs) → gateway (namespace, chart) →
 * origination roots (cert-manager and its CRDs → issuers → certificates) → external services
 * (routes; a service waits for its own certificate and server roots) → tenants (the lock closes
 * only once the routes it uses exist). Components wait on Resources, never on components: a
 * component in dependsOn expands to one edge per resource below it.
 */
export class EgressPlatform extends pulumi.ComponentResource {
  public readonly gatewayServiceHost: pulumi.Output<string>;
  public readonly allowedDestinations: pulumi.Output<Record<string, string[]>>;
  public readonly registry: pulumi.Output<RegistryEntry[]>;

  constructor(name: string, args: EgressPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-egress:index:EgressPlatform", name, {}, opts);
    const { config } = args;
    const manifests = args.manifests ?? buildPlatformManifests(config);

    const controlPlane = manifests.controlPlane
      ? new ControlPlane(`${name}-control-plane`, { manifests: manifests.controlPlane }, { parent: this })
      : undefined;
    const gateway = new EgressGateway(
      `${name}-gateway`,
      {
        manifests: manifests.gateway,
        serviceHost: gatewayServiceHost(config),
        after: controlPlane ? [controlPlane.ready] : [],
      },
      { parent: this },
    );
    if (manifests.guardrails) {
      new AdmissionGuardrails(
        `${name}-guardrails`,
        // They match Istio's kinds: after the CRDs when the stack installs them.
        { objects: manifests.guardrails, after: controlPlane ? [controlPlane.ready] : [] },
        { parent: this },
      );
    }
    // Monitors and rules need the Prometheus Operator's CRDs, which the cluster brings.
    new Observability(
      `${name}-observability`,
      { manifests: manifests.observability, after: [gateway.chart] },
      { parent: this },
    );
    const certManager = manifests.certManager
      ? new CertManagerInstallation(
          `${name}-cert-manager`,
          { manifests: manifests.certManager },
          { parent: this },
        )
      : undefined;
    const certificates = hasOriginationCertificates(manifests.certificates)
      ? new OriginationCertificates(
          `${name}-certificates`,
          {
            manifests: manifests.certificates,
            // Issuers live in the gateway namespace and need cert-manager's CRDs.
            after: [gateway.namespaceResource, ...(certManager ? [certManager.release] : [])],
          },
          { parent: this },
        )
      : undefined;
    const routesOf = new Map<string, readonly pulumi.Resource[]>();
    for (const { service, objects } of manifests.services) {
      const external = new ExternalService(
        `${name}-service-${service.name}`,
        {
          hosts: service.hosts,
          objects,
          // Routes name the gateway's subsets; an origination rule names its certificate and roots.
          after: [gateway.chart, gateway.subsets, ...(certificates?.dependenciesOf(service.name) ?? [])],
        },
        { parent: this },
      );
      routesOf.set(service.name, external.routes);
    }
    // The filters patch listeners istiod builds whenever they appear: they need the gateway, not each route.
    new RateLimits(
      `${name}-rate-limits`,
      { manifests: manifests.rateLimits, redisUrl: redisUrlSecretData(config), after: [gateway.chart] },
      { parent: this },
    );
    const tenantNamespaces: pulumi.Resource[] = [];
    for (const { tenant, manifests: tenantManifests } of manifests.tenants) {
      const tenantComponent = new Tenant(
        `${name}-tenant-${tenant.namespace}`,
        {
          manifests: tenantManifests,
          allowedDestinations: allowedDestinations(tenant, config),
          // Only the routes this tenant uses: waiting on every service would grow as services × tenants.
          after: [
            gateway.chart,
            ...allowedServices(tenant, config).flatMap((service) => routesOf.get(service.name) ?? []),
          ],
        },
        { parent: this },
      );
      tenantNamespaces.push(tenantComponent.namespaceResource);
    }
    if (manifests.breakGlass.entries.length > 0) {
      new BreakGlass(
        `${name}-break-glass`,
        // Routes and rules live in the gateway namespace; direct NetworkPolicies in the tenants'.
        { manifests: manifests.breakGlass, after: [gateway.chart, ...tenantNamespaces] },
        { parent: this },
      );
    }

    if (manifests.clusterEgressLock.length > 0) {
      new ClusterEgressLock(
        `${name}-cluster-egress-lock`,
        { objects: manifests.clusterEgressLock, after: [gateway.chart] },
        { parent: this },
      );
    }

    this.gatewayServiceHost = pulumi.output(gatewayServiceHost(config));
    this.allowedDestinations = pulumi.output(
      Object.fromEntries(config.tenants.map((t) => [t.namespace, allowedDestinations(t, config)])),
    );
    this.registry = pulumi.output(registrySummary(config));
    this.registerOutputs({
      gatewayServiceHost: this.gatewayServiceHost,
      allowedDestinations: this.allowedDestinations,
      registry: this.registry,
    });
  }
}
