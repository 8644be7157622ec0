import { PACKAGE_JSON } from "./package-json";

/** The version `mesh-egress --version` prints: package.json's, with the SDK it deploys through. */
export function packageVersion(): string {
  return `${PACKAGE_JSON.version} (@pulumi/pulumi ${PACKAGE_JSON.dependencies["@pulumi/pulumi"]}, Node.js ${process.version})`;
}
