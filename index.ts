import * as pulumi from "@pulumi/pulumi";
import { EgressPlatform } from "./components/pulumi/egress-platform";
import { buildPlatformManifests } from "./components/platform-manifests";
import { expiredBreakGlassWarnings } from "./stacks/model/break-glass";
import { loadPulumiStackConfig } from "./stacks/load-pulumi-config";

// Validation happens before any resource exists: on a ConfigError nothing is registered.
// Break-glass entries are judged at MESH_EGRESS_NOW when set, else now.
const config = loadPulumiStackConfig();
for (const warning of expiredBreakGlassWarnings(config.breakGlass)) pulumi.log.warn(warning);
// One build feeds the deployment, as it feeds render and lint.
const platform = new EgressPlatform("mesh-egress", { config, manifests: buildPlatformManifests(config) });

export const gatewayServiceHost = platform.gatewayServiceHost;
export const allowedDestinations = platform.allowedDestinations;
export const registry = platform.registry;
export const environment = pulumi.output(config.environment);
// No evaluation instant here: an output that changes on every run would defeat the drift check.
export const breakGlass = pulumi.output({
  active: config.breakGlass.active.map((e) => ({ id: e.id, scope: e.scope, expiresAt: e.expiresAt })),
  expired: config.breakGlass.expired.map((e) => ({ id: e.id, scope: e.scope, expiresAt: e.expiresAt })),
});
