import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import type { EnvtestBinaries } from "./assets";
import { kubectlOrThrow, KubectlResult, runKubectl } from "./kubectl";
import { createEnvtestPki, EnvtestPki } from "./pki";
import { freeLoopbackPort } from "./ports";

const READY_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 10_000;

/**
 * etcd and kube-apiserver on 127.0.0.1, free ports, their own PKI and RBAC: a real API server
 * without controllers (namespaces never finish deleting, nothing reconciles). Stopped by PID.
 */
export class EnvtestApiServer {
  readonly kubeconfig: string;
  private readonly processes: ChildProcess[] = [];
  private stopped = false;

  private constructor(
    readonly workDir: string,
    readonly binaries: EnvtestBinaries,
    readonly url: string,
    private readonly pki: EnvtestPki,
  ) {
    this.kubeconfig = path.join(workDir, "kubeconfig");
  }

  /** Unpacks, starts etcd then kube-apiserver, and resolves once `/readyz` answers ok. */
  static async start(binariesIn: (unpackDir: string) => EnvtestBinaries): Promise<EnvtestApiServer> {
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-envtest-"));
    const binaries = binariesIn(workDir);
    const pki = createEnvtestPki(workDir);
    const [etcdPort, etcdPeerPort, apiPort] = [
      await freeLoopbackPort(),
      await freeLoopbackPort(),
      await freeLoopbackPort(),
    ];
    const server = new EnvtestApiServer(workDir, binaries, `https://127.0.0.1:${apiPort}`, pki);
    server.writeKubeconfig();
    try {
      const etcdUrl = `http://127.0.0.1:${etcdPort}`;
      server.launch("etcd", binaries.etcd, [
        `--data-dir=${path.join(workDir, "etcd-data")}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
        `--initial-cluster=default=http://127.0.0.1:${etcdPeerPort}`,
        "--log-level=warn",
      ]);
      server.launch("kube-apiserver", binaries.kubeApiserver, [
        `--etcd-servers=${etcdUrl}`,
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        `--secure-port=${apiPort}`,
        `--cert-dir=${path.join(workDir, "apiserver-certs")}`,
        `--tls-cert-file=${pki.serverCert}`,
        `--tls-private-key-file=${pki.serverKey}`,
        `--client-ca-file=${pki.caCert}`,
        "--authorization-mode=RBAC",
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        `--service-account-key-file=${pki.serviceAccountPublicKey}`,
        `--service-account-signing-key-file=${pki.serviceAccountPrivateKey}`,
        "--service-cluster-ip-range=10.0.0.0/24",
        // No controller-manager runs: nothing would create the ServiceAccounts this plugin waits for.
        "--disable-admission-plugins=ServiceAccount",
        // A loopback address is not a valid endpoint for the kubernetes Service.
        "--endpoint-reconciler-type=none",
        "--allow-privileged=true",
      ]);
      await server.waitUntilReady();
    } catch (err) {
      await server.stop();
      throw err;
    }
    return server;
  }

  /** The server's `gitVersion` (e.g. v1.32.13+openshift-…), read from `/version`. */
  async version(): Promise<string> {
    const body = await this.get("/version");
    return (JSON.parse(body) as { gitVersion: string }).gitVersion;
  }

  kubectl(args: readonly string[], input?: string): Promise<KubectlResult> {
    return runKubectl(this.binaries.kubectl, this.kubeconfig, args, input);
  }

  kubectlOrThrow(args: readonly string[], input?: string): Promise<string> {
    return kubectlOrThrow(this.binaries.kubectl, this.kubeconfig, args, input);
  }

  /** Ends both processes by PID (SIGTERM, then SIGKILL after a grace period) and removes the work dir. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    // The API server first: it must not see etcd vanish under it and log a storm of retries.
    for (const child of [...this.processes].reverse()) await terminate(child);
    fs.rmSync(this.workDir, { recursive: true, force: true });
  }

  /** Last resort on process exit: synchronous, no waiting. */
  killNow(): void {
    for (const child of this.processes) {
      if (child.exitCode === null && child.signalCode === null && child.pid) {
        try {
          process.kill(child.pid, "SIGKILL");
        } catch {
          // Already gone.
        }
      }
    }
  }

  /** The tail of a process's log, for error messages. */
  logTail(name: string, lines = 30): string {
    try {
      return fs
        .readFileSync(path.join(this.workDir, `${name}.log`), "utf8")
        .split("\n")
        .slice(-lines)
        .join("\n");
    } catch {
      return "";
    }
  }

  private launch(name: string, binary: string, args: string[]): void {
    const log = fs.openSync(path.join(this.workDir, `${name}.log`), "a");
    const child = spawn(binary, args, { stdio: ["ignore", log, log] });
    fs.closeSync(log);
    this.processes.push(child);
  }

  private async waitUntilReady(): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let last = "";
    while (Date.now() < deadline) {
      const exited = this.processes.find((p) => p.exitCode !== null || p.signalCode !== null);
      if (exited) {
        const name = path.basename(String(exited.spawnfile));
        throw new Error(`${name} exited (${exited.exitCode ?? exited.signalCode}):\n${this.logTail(name)}`);
      }
      try {
        if ((await this.get("/readyz")) === "ok") return;
      } catch (err) {
        last = (err as Error).message;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new Error(
      `kube-apiserver not ready after ${READY_TIMEOUT_MS / 1000}s (${last}):\n${this.logTail("kube-apiserver")}`,
    );
  }

  private get(pathname: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const request = https.get(
        `${this.url}${pathname}`,
        {
          ca: fs.readFileSync(this.pki.caCert),
          cert: fs.readFileSync(this.pki.adminCert),
          key: fs.readFileSync(this.pki.adminKey),
          timeout: 5_000,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () => {
            const body = Buffer.concat(chunks).toString("utf8");
            if (response.statusCode === 200) resolve(body);
            else reject(new Error(`GET ${pathname}: ${response.statusCode} ${body.slice(0, 200)}`));
          });
        },
      );
      request.on("timeout", () => request.destroy(new Error(`GET ${pathname}: timed out`)));
      request.on("error", reject);
    });
  }

  private writeKubeconfig(): void {
    const data = (file: string) => fs.readFileSync(file).toString("base64");
    const config = {
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        {
          name: "envtest",
          cluster: { server: this.url, "certificate-authority-data": data(this.pki.caCert) },
        },
      ],
      users: [
        {
          name: "envtest-admin",
          user: {
            "client-certificate-data": data(this.pki.adminCert),
            "client-key-data": data(this.pki.adminKey),
          },
        },
      ],
      contexts: [{ name: "envtest", context: { cluster: "envtest", user: "envtest-admin" } }],
      "current-context": "envtest",
    };
    // JSON is YAML: kubectl reads it as is.
    fs.writeFileSync(this.kubeconfig, JSON.stringify(config, null, 2), { mode: 0o600 });
  }
}

function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      try {
        process.kill(child.pid!, "SIGKILL");
      } catch {
        // Already gone.
      }
    }, STOP_GRACE_MS);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    process.kill(child.pid!, "SIGTERM");
  });
}
