import * as pulumi from "@pulumi/pulumi";

/** What the engine was asked to register, read from the request itself. */
export interface RegisteredResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly parent: string;
  readonly dependencies: readonly string[];
  readonly retainOnDelete: boolean;
  readonly custom: boolean;
  readonly inputs: Record<string, unknown>;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getDependenciesList(): string[];
  getRetainondelete(): boolean;
  getCustom(): boolean;
}

interface MockMonitor {
  registerResource(req: RegisterRequest, callback: (err: unknown, res?: { getUrn(): string }) => void): void;
}

let records: RegisteredResource[] = [];
let installed: Promise<void> | undefined;

/** Installs Pulumi's mock runtime once per process and records every registration. */
export function installPulumiMocks(): Promise<void> {
  installed ??= (async () => {
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
        call: (args) => args.inputs,
      },
      "mesh-egress",
      "test",
      true,
    );
    countRpcsInFlight();
    const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitor;
    const register = monitor.registerResource.bind(monitor);
    const { deserializeProperties } = require("@pulumi/pulumi/runtime/rpc");
    monitor.registerResource = (req, callback) => {
      register(req, (err, res) => {
        if (!err && res) {
          records.push({
            type: req.getType(),
            name: req.getName(),
            urn: res.getUrn(),
            parent: req.getParent(),
            dependencies: req.getDependenciesList(),
            retainOnDelete: req.getRetainondelete(),
            custom: req.getCustom(),
            inputs: deserializeProperties((req as unknown as { getObject(): unknown }).getObject()),
          });
        }
        callback(err, res);
      });
    };
  })();
  return installed;
}

/** Runs `build` and returns every resource it registered, once all registrations have landed. */
export async function registeredBy(build: () => unknown): Promise<RegisteredResource[]> {
  await installPulumiMocks();
  await settle();
  records = [];
  build();
  await settle();
  return records;
}

/**
 * Waits until the SDK has no RPC in flight, then lets one turn of the event loop pass (continuations of the
 * last resolved outputs run, and may register more) and checks again: no polling, no timers.
 */
async function settle(): Promise<void> {
  for (;;) {
    if (inFlight > 0) await new Promise<void>((resolve) => idleWaiters.push(resolve));
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (inFlight === 0) return;
  }
}

let inFlight = 0;
const idleWaiters: (() => void)[] = [];

/**
 * Counts the SDK's own keep-alives: every registration, output resolution and invoke takes one when it
 * starts and releases it when done (`pulumi.runtime.disconnect` drains the same chain).
 */
function countRpcsInFlight(): void {
  const settings = require("@pulumi/pulumi/runtime/settings") as { rpcKeepAlive: () => () => void };
  const keepAlive = settings.rpcKeepAlive;
  settings.rpcKeepAlive = () => {
    inFlight++;
    const release = keepAlive();
    let released = false;
    return () => {
      if (!released) {
        released = true;
        if (--inFlight === 0) for (const wake of idleWaiters.splice(0)) wake();
      }
      release();
    };
  };
}
