import * as pulumi from "@pulumi/pulumi";
import type { EgressConfig } from "../../stacks/model/egress-config";
import { allowedServices } from "../../stacks/relations/grants";
import { registrySummary, RegistryEntry } from "../egress-platform";
import { ApplyPart, partsBefore } from "../apply-order";
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
 * The whole egress path, its parts created and ordered as `APPLY_ORDER` declares (render reads the same
 * declaration). Components wait on Resources, never on components: a component in dependsOn expands to one
 * edge per resource below it.
 */
export class EgressPlatform extends pulumi.ComponentResource {
  public readonly gatewayServiceHost: pulumi.Output<string>;
  public readonly allowedDestinations: pulumi.Output<Record<string, string[]>>;
  public readonly registry: pulumi.Output<RegistryEntry[]>;

  constructor(name: string, args: EgressPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-egress:index:EgressPlatform", name, {}, opts);
    const { config } = args;
    const manifests = args.manifests ?? buildPlatformManifests(config);

    // What each part offers the parts after it; `after(part)` reads APPLY_ORDER's edges, so the component graph
    // and render cannot disagree. A part may narrow an edge to what it needs (a tenant waits only on its routes).
    const ready = new Map<ApplyPart, readonly pulumi.Resource[]>();
    const after = (part: ApplyPart, narrowed: Partial<Record<ApplyPart, readonly pulumi.Resource[]>> = {}) =>
      partsBefore(part).flatMap((before) => narrowed[before] ?? ready.get(before) ?? []);

    if (manifests.controlPlane) {
      const controlPlane = new ControlPlane(
        `${name}-control-plane`,
        { manifests: manifests.controlPlane },
        { parent: this },
      );
      ready.set("controlPlane", [controlPlane.ready]);
    }
    if (manifests.certManager) {
      const certManager = new CertManagerInstallation(
        `${name}-cert-manager`,
        { manifests: manifests.certManager },
        { parent: this },
      );
      ready.set("certManager", [certManager.release]);
    }
    if (manifests.guardrails) {
      new AdmissionGuardrails(
        `${name}-guardrails`,
        { objects: manifests.guardrails, after: after("guardrails") },
        { parent: this },
      );
    }
    const gateway = new EgressGateway(
      `${name}-gateway`,
      { manifests: manifests.gateway, serviceHost: gatewayServiceHost(config), after: after("gateway") },
      { parent: this },
    );
    ready.set("gateway", [gateway.chart]);
    new Observability(
      `${name}-observability`,
      { manifests: manifests.observability, after: after("observability") },
      { parent: this },
    );
    const certificates = hasOriginationCertificates(manifests.certificates)
      ? new OriginationCertificates(
          `${name}-certificates`,
          // Issuers need only the gateway's namespace, not its pods.
          {
            manifests: manifests.certificates,
            after: after("certificates", { gateway: [gateway.namespaceResource] }),
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
          // Routes name the gateway's subsets; an origination rule names only its own certificate and roots.
          after: after("services", {
            gateway: [gateway.chart, gateway.subsets],
            certificates: certificates?.dependenciesOf(service.name) ?? [],
          }),
        },
        { parent: this },
      );
      routesOf.set(service.name, external.routes);
    }
    ready.set("services", [...routesOf.values()].flat());
    new RateLimits(
      `${name}-rate-limits`,
      { manifests: manifests.rateLimits, redisUrl: redisUrlSecretData(config), after: after("rateLimits") },
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
          after: after("tenants", {
            services: allowedServices(tenant, config).flatMap((service) => routesOf.get(service.name) ?? []),
          }),
        },
        { parent: this },
      );
      tenantNamespaces.push(tenantComponent.namespaceResource);
    }
    ready.set("tenants", tenantNamespaces);
    if (manifests.breakGlass.entries.length > 0) {
      new BreakGlass(
        `${name}-break-glass`,
        { manifests: manifests.breakGlass, after: after("breakGlass") },
        { parent: this },
      );
    }
    if (manifests.clusterEgressLock.length > 0) {
      new ClusterEgressLock(
        `${name}-cluster-egress-lock`,
        { objects: manifests.clusterEgressLock, after: after("clusterEgressLock") },
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
