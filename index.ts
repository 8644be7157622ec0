import * as pulumi from "@pulumi/pulumi";
import { EgressPlatform } from "./components/egress-platform";
import { buildPlatformManifests } from "./components/platform-manifests";
import { loadPulumiStackConfig } from "./stacks/load-pulumi-config";

// Validation happens before any resource exists: on a ConfigError nothing is registered.
const config = loadPulumiStackConfig();
// One build feeds the deployment, as it feeds render and lint.
const platform = new EgressPlatform("mesh-egress", { config, manifests: buildPlatformManifests(config) });

export const gatewayServiceHost = platform.gatewayServiceHost;
export const allowedDestinations = platform.allowedDestinations;
export const registry = platform.registry;
export const environment = pulumi.output(config.environment);
