import * as fs from "fs";
import * as path from "path";

/** The fields of the project's package.json the CLI reports and checks. */
export interface PackageJson {
  readonly version: string;
  readonly engines: { readonly node: string };
  readonly dependencies: Readonly<Record<string, string>>;
}

/** Read at run time rather than imported, so tsc does not pull package.json into the program. */
export const PACKAGE_JSON: PackageJson = JSON.parse(
  fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8"),
) as PackageJson;
