import { spawn } from "child_process";

export interface KubectlResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs kubectl against one kubeconfig; never throws on a non-zero exit (tests assert on refusals). */
export function runKubectl(
  kubectl: string,
  kubeconfig: string,
  args: readonly string[],
  input?: string,
): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(kubectl, ["--kubeconfig", kubeconfig, ...args], { stdio: "pipe" });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    child.on("close", (status) =>
      resolve({
        status,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
      }),
    );
    child.stdin.end(input ?? "");
  });
}

/** The same, but a failure is an error carrying kubectl's own message. */
export async function kubectlOrThrow(
  kubectl: string,
  kubeconfig: string,
  args: readonly string[],
  input?: string,
): Promise<string> {
  const result = await runKubectl(kubectl, kubeconfig, args, input);
  if (result.status !== 0) {
    throw new Error(`kubectl ${args.join(" ")} exited ${result.status}: ${result.stderr.trim()}`);
  }
  return result.stdout;
}
