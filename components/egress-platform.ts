import * as pulumi from "@pulumi/pulumi";
import type { EgressConfig } from "../stacks/egress-config";
import { AdmissionGuardrails, admissionGuardrailSettings } from "./admission-guardrails";
import { CertManagerInstallation } from "./cert-manager";
import { ControlPlane } from "./control-plane";
import { EgressGateway } from "./egress-gateway";
import { ExternalService } from "./external-service";
import { gatewayServiceHost, tenantsAllowedTo } from "./gateway-endpoint";
import { hasOriginationCertificates, OriginationCertificates } from "./origination-certificates";
import { allowedDestinations, Tenant } from "./tenant";

export interface EgressPlatformArgs {
  /** The validated, baseline-resolved configuration of the stack. */
  readonly config: EgressConfig;
}

/** One entry of the registry summary exported by the stack. */
export interface RegistryEntry {
  readonly name: string;
  readonly hosts: string[];
  readonly port: number;
  readonly mode: string;
  readonly tenants: string[];
}

/** The registry as auditors read it: every external service, how it is reached, and by whom. */
export function registrySummary(config: EgressConfig): RegistryEntry[] {
  return config.services.map((s) => ({
    name: s.name,
    hosts: [...s.hosts],
    port: s.port,
    mode: s.mode,
    tenants: tenantsAllowedTo(s, config),
  }));
}

/**
 * The whole egress path. Order is explicit: control plane (CRDs) → gateway (namespace, chart) →
 * origination roots (cert-manager and its CRDs → issuers → certificates) → external services
 * (routes; a service waits for its own certificate and server roots) → tenants (the lock closes
 * only once the routes exist).
 */
export class EgressPlatform extends pulumi.ComponentResource {
  public readonly gatewayServiceHost: pulumi.Output<string>;
  public readonly allowedDestinations: pulumi.Output<Record<string, string[]>>;
  public readonly registry: pulumi.Output<RegistryEntry[]>;

  constructor(name: string, args: EgressPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-egress:index:EgressPlatform", name, {}, opts);
    const { config } = args;

    const controlPlane = config.controlPlane.install
      ? new ControlPlane(`${name}-control-plane`, { config }, { parent: this })
      : undefined;
    const gateway = new EgressGateway(
      `${name}-gateway`,
      { config },
      { parent: this, dependsOn: controlPlane ? [controlPlane] : [] },
    );
    if (config.guardrails.enabled) {
      new AdmissionGuardrails(
        `${name}-guardrails`,
        { settings: admissionGuardrailSettings(config) },
        // They match Istio's kinds: after the CRDs when the stack installs them.
        { parent: this, dependsOn: controlPlane ? [controlPlane] : [] },
      );
    }
    const certManager = config.certManager.install
      ? new CertManagerInstallation(`${name}-cert-manager`, { config }, { parent: this })
      : undefined;
    const certificates = hasOriginationCertificates(config)
      ? new OriginationCertificates(
          `${name}-certificates`,
          { config },
          // Issuers live in the gateway namespace and need cert-manager's CRDs.
          { parent: this, dependsOn: [gateway, ...(certManager ? [certManager] : [])] },
        )
      : undefined;
    const services = config.services.map(
      (service) =>
        new ExternalService(
          `${name}-service-${service.name}`,
          { service, config },
          { parent: this, dependsOn: [gateway, ...(certificates?.dependenciesOf(service.name) ?? [])] },
        ),
    );
    for (const tenant of config.tenants) {
      new Tenant(
        `${name}-tenant-${tenant.namespace}`,
        { tenant, config },
        { parent: this, dependsOn: [gateway, ...services] },
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
