import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../stacks/project-dir";

/** The fields of the project's package.json the CLI reports and checks. */
export interface PackageJson {
  readonly version: string;
  readonly engines: { readonly node: string };
  readonly dependencies: Readonly<Record<string, string>>;
}

/** Read at run time rather than imported, so tsc does not pull package.json into the program (nor dist/). */
export const PACKAGE_JSON: PackageJson = JSON.parse(
  fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8"),
) as PackageJson;
