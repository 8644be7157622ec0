import { Readable } from "stream";
import type { CliIo } from "../../cli/cli-io";

export interface CapturedRun<T> {
  readonly result: T;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a CLI entry function in-process with captured streams, collecting what it writes. */
export async function captureOutput<T>(run: (io: CliIo) => Promise<T> | T): Promise<CapturedRun<T>> {
  let stdout = "";
  let stderr = "";
  const result = await run({
    stdin: Readable.from([""]),
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { result, stdout, stderr };
}
