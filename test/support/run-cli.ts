import { spawnSync } from "child_process";
import * as path from "path";
import { Readable } from "stream";
import { runCli as runCliEntry } from "../../cli/main";
import { compiledCliMain } from "./compiled-cli";
import { PROJECT_DIR } from "./stacks";

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `mesh-egress <args>` in this process through the CLI's entry function, `input` as its stdin. */
export async function runCli(args: readonly string[], input = ""): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const status = await runCliEntry(args, {
    stdin: Readable.from([input]),
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { status, stdout, stderr };
}

/** Runs the real `mesh-egress` binary (the compiled CLI) in a child process, as `npx mesh-egress` would. */
export function runCliProcess(args: readonly string[], input?: string): CliResult {
  compiledCliMain();
  const result = spawnSync(process.execPath, [path.join(PROJECT_DIR, "bin", "mesh-egress.js"), ...args], {
    cwd: PROJECT_DIR,
    input: input ?? "",
    encoding: "utf8",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
