export interface CapturedRun<T> {
  readonly result: T;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a CLI entry function in-process, collecting what it writes to stdout and stderr. */
export async function captureOutput<T>(run: () => Promise<T> | T): Promise<CapturedRun<T>> {
  const out: string[] = [];
  const err: string[] = [];
  const originalOut = process.stdout.write.bind(process.stdout);
  const originalErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) =>
    out.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) =>
    err.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    const result = await run();
    return { result, stdout: out.join(""), stderr: err.join("") };
  } finally {
    process.stdout.write = originalOut;
    process.stderr.write = originalErr;
  }
}
