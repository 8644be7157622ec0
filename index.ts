import * as pulumi from "@pulumi/pulumi";
import { EgressPlatform } from "./components/egress-platform";
import { loadPulumiStackConfig } from "./stacks/load-pulumi-config";

// Validation happens before any resource exists: on a ConfigError nothing is registered.
const config = loadPulumiStackConfig();
const platform = new EgressPlatform("mesh-egress", { config });

export const gatewayServiceHost = platform.gatewayServiceHost;
export const allowedDestinations = platform.allowedDestinations;
export const registry = platform.registry;
export const environment = pulumi.output(config.environment);
