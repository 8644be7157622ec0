import { locateUpstreamSchemas } from "../upstream-location";
import { EnvtestApiServer } from "./api-server";
import { locateEnvtestAssets, REQUIRE_ENV_VAR } from "./assets";
import { apiServerUnavailableReason } from "./availability";
import { upstreamCrdFiles } from "./upstream-crds";

let starting: Promise<EnvtestApiServer> | undefined;
let started: EnvtestApiServer | undefined;

/**
 * The one API server of this mocha run: started by the first suite that needs it (targeted runs that
 * need none stay fast), with the upstream CRDs installed, and stopped by the root hook at the end.
 */
export function sharedApiServer(): Promise<EnvtestApiServer> {
  starting ??= startWithCrds();
  return starting;
}

/** Stops the shared server if one was started; safe to call more than once. */
export async function stopSharedApiServer(): Promise<void> {
  const pending = starting;
  starting = undefined;
  if (!pending) return;
  const server = await pending.catch(() => undefined);
  await server?.stop();
  started = undefined;
}

async function startWithCrds(): Promise<EnvtestApiServer> {
  const assets = locateEnvtestAssets();
  const schemasDir = locateUpstreamSchemas();
  if (!assets.available || !schemasDir) throw new Error(apiServerUnavailableReason());
  const startedAt = Date.now();
  const server = await EnvtestApiServer.start(assets.binaries);
  started = server;
  const readyAt = Date.now();
  const crdFiles = upstreamCrdFiles(schemasDir).flatMap((file) => ["-f", file]);
  await server.kubectlOrThrow(["apply", "--server-side", "--field-manager=envtest", ...crdFiles]);
  await server.kubectlOrThrow(["wait", "--for=condition=Established", "crd", "--all", "--timeout=60s"]);
  const crds = (await server.kubectlOrThrow(["get", "crd", "-o", "name"])).trim().split("\n").length;
  console.log(
    `    envtest: kube-apiserver ${await server.version()} at ${server.url} from ${server.binaries.source}; ` +
      `ready in ${seconds(readyAt - startedAt)}, ${crds} CRDs established in ${seconds(Date.now() - readyAt)}`,
  );
  return server;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/**
 * `describe` for suites that need the real API server: `body` gets a getter for it, valid inside
 * tests and hooks. Without the binaries the suite holds one pending test saying why (skipped, never
 * passed); with `MESH_EGRESS_REQUIRE_APISERVER=1` (CI) that test fails instead.
 */
export function describeWithApiServer(title: string, body: (server: () => EnvtestApiServer) => void): void {
  const unavailable = apiServerUnavailableReason();
  describe(title, function () {
    if (unavailable) {
      if (process.env[REQUIRE_ENV_VAR] === "1") {
        it(`needs the API server, which ${REQUIRE_ENV_VAR}=1 requires: ${unavailable}`, () => {
          throw new Error(unavailable);
        });
      } else {
        it(`SKIPPED: no API server: ${unavailable}`, function () {
          this.skip();
        });
      }
      return;
    }
    let server: EnvtestApiServer | undefined;
    before(async function () {
      this.timeout(180_000);
      server = await sharedApiServer();
    });
    body(() => {
      if (!server) throw new Error("the API server is not started yet: use it inside tests and hooks");
      return server;
    });
  });
}

// A crash or Ctrl-C must not leave etcd and kube-apiserver behind.
process.once("exit", () => started?.killNow());
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    started?.killNow();
    process.exit(130);
  });
}
