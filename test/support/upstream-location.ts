import * as fs from "fs";
import * as path from "path";

export const SCHEMAS_ENV_VAR = "MESH_EGRESS_SCHEMAS";

const REPO_ROOT = path.resolve(__dirname, "..", "..");

export interface SchemaLocationOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly repoRoot?: string;
}

/** Where the schemas are looked for: `$MESH_EGRESS_SCHEMAS` when set, else `../shared/upstream` beside the repo. */
export function upstreamSchemasSearchPath({
  env = process.env,
  repoRoot = REPO_ROOT,
}: SchemaLocationOptions = {}): string {
  const fromEnv = env[SCHEMAS_ENV_VAR];
  return fromEnv ? path.resolve(fromEnv) : path.resolve(repoRoot, "..", "shared", "upstream");
}

/** The upstream schemas directory, or undefined when it does not exist (tests then report themselves skipped). */
export function locateUpstreamSchemas(options: SchemaLocationOptions = {}): string | undefined {
  const candidate = upstreamSchemasSearchPath(options);
  return fs.existsSync(candidate) && fs.statSync(candidate).isDirectory() ? candidate : undefined;
}
