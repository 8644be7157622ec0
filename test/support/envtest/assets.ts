import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { PROJECT_DIR } from "../stacks";

/** The variable controller-runtime's envtest reads: a directory with kube-apiserver, etcd and kubectl. */
export const ASSETS_ENV_VAR = "KUBEBUILDER_ASSETS";

/** Set by CI: a missing API server fails the run instead of skipping it. */
export const REQUIRE_ENV_VAR = "MESH_EGRESS_REQUIRE_APISERVER";

/** The Kubernetes 1.32 binaries shipped beside the project (see its README). */
export const SHARED_ENVTEST_DIR = path.resolve(PROJECT_DIR, "..", "shared", "envtest-1.32");

export interface EnvtestBinaries {
  readonly kubeApiserver: string;
  readonly etcd: string;
  readonly kubectl: string;
  /** Where they came from, for the test log. */
  readonly source: string;
}

export type EnvtestAssets =
  | { readonly available: true; readonly binaries: (unpackDir: string) => EnvtestBinaries }
  | { readonly available: false; readonly reason: string };

/**
 * Finds the binaries without starting anything: `$KUBEBUILDER_ASSETS` (setup-envtest's layout) when
 * set, else the shared gzipped kube-apiserver and kubectl plus an `etcd` on PATH. Unpacking waits
 * until a test actually needs the server.
 */
export function locateEnvtestAssets(env: NodeJS.ProcessEnv = process.env): EnvtestAssets {
  const fromEnv = env[ASSETS_ENV_VAR];
  if (fromEnv) {
    const dir = path.resolve(fromEnv);
    const missing = ["kube-apiserver", "etcd", "kubectl"].filter((b) => !isExecutable(path.join(dir, b)));
    if (missing.length > 0) {
      return { available: false, reason: `${ASSETS_ENV_VAR}=${dir} lacks ${missing.join(", ")}` };
    }
    return {
      available: true,
      binaries: () => ({
        kubeApiserver: path.join(dir, "kube-apiserver"),
        etcd: path.join(dir, "etcd"),
        kubectl: path.join(dir, "kubectl"),
        source: `${ASSETS_ENV_VAR}=${dir}`,
      }),
    };
  }
  const gzipped = ["kube-apiserver.gz", "kubectl.gz"].map((f) => path.join(SHARED_ENVTEST_DIR, f));
  const absent = gzipped.filter((f) => !fs.existsSync(f));
  if (absent.length > 0) {
    return {
      available: false,
      reason: `${ASSETS_ENV_VAR} is not set and ${absent.join(", ")} not found`,
    };
  }
  const etcd = onPath("etcd", env);
  if (!etcd) {
    return {
      available: false,
      reason: `no etcd on PATH (Debian: apt-get install etcd-server), and ${ASSETS_ENV_VAR} is not set`,
    };
  }
  return {
    available: true,
    binaries: (unpackDir) => ({
      kubeApiserver: gunzipExecutable(gzipped[0], path.join(unpackDir, "kube-apiserver")),
      kubectl: gunzipExecutable(gzipped[1], path.join(unpackDir, "kubectl")),
      etcd,
      source: `${SHARED_ENVTEST_DIR} (unpacked) and ${etcd}`,
    }),
  };
}

function gunzipExecutable(from: string, to: string): string {
  fs.writeFileSync(to, zlib.gunzipSync(fs.readFileSync(from)), { mode: 0o755 });
  return to;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(binary: string, env: NodeJS.ProcessEnv): string | undefined {
  return (env.PATH ?? "")
    .split(path.delimiter)
    .filter(Boolean)
    .map((dir) => path.join(dir, binary))
    .find(isExecutable);
}
