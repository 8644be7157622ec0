import satisfies from "semver/functions/satisfies";
import { PACKAGE_JSON } from "./package-json";

/** The Node.js range package.json's `engines` promises: @pulumi/pulumi 3.270 and this CLI need Node 22. */
export const REQUIRED_NODE: string = PACKAGE_JSON.engines.node;

/**
 * What to tell a user whose Node.js is outside REQUIRED_NODE, with the fix; undefined when it fits.
 * The bin prints it once and exits 2 before loading anything that would warn or fail further in.
 */
export function nodeVersionProblem(version: string, required: string = REQUIRED_NODE): string | undefined {
  if (satisfies(version, required, { includePrerelease: true })) return undefined;
  return [
    `mesh-egress: Node.js ${required.replace(/^>=\s*/, "")} or newer is required; this is Node.js v${version}.`,
    '  The Pulumi SDK this project pins (@pulumi/pulumi 3.270) declares engines.node ">=22".',
    "  Install Node.js 22, then run the command again:",
    "    nvm install 22 && nvm use 22                  # with nvm (https://github.com/nvm-sh/nvm)",
    "    npm install --prefix ~/.node22 node@22 && export PATH=~/.node22/node_modules/node/bin:$PATH",
    "                                                  # no root, no nvm: Node 22 from the npm registry",
  ].join("\n");
}
