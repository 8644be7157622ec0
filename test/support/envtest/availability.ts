import { locateUpstreamSchemas, upstreamSchemasSearchPath } from "../upstream-location";
import { locateEnvtestAssets } from "./assets";

/** Where built-in kinds are validated when a real API server can run: named in conformance reports. */
export const API_SERVER_SUITE = "the real API server (test/apiserver/render-apply.test.ts)";

/** Why the API-server suites cannot run here, or undefined when they can. */
export function apiServerUnavailableReason(): string | undefined {
  const assets = locateEnvtestAssets();
  if (!assets.available) return assets.reason;
  if (!locateUpstreamSchemas()) return `upstream CRDs not found at ${upstreamSchemasSearchPath()}`;
  return undefined;
}
