import { spawnSync } from "child_process";
import * as path from "path";
import { PROJECT_DIR } from "./stacks";

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real `mesh-egress` binary, as `npx mesh-egress` would. */
export function runCli(args: readonly string[], input?: string): CliResult {
  const result = spawnSync(process.execPath, [path.join(PROJECT_DIR, "bin", "mesh-egress.js"), ...args], {
    cwd: PROJECT_DIR,
    input,
    encoding: "utf8",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
