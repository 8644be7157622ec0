/** The version `mesh-egress --version` prints: package.json's, with the SDK it deploys through. */
export function packageVersion(): string {
  const pkg = require("../package.json") as { version: string; dependencies: Record<string, string> };
  return `${pkg.version} (@pulumi/pulumi ${pkg.dependencies["@pulumi/pulumi"]}, Node.js ${process.version})`;
}
