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
let pending = 0;
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
    const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitor;
    const register = monitor.registerResource.bind(monitor);
    const { deserializeProperties } = require("@pulumi/pulumi/runtime/rpc");
    monitor.registerResource = (req, callback) => {
      pending++;
      register(req, (err, res) => {
        pending--;
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

/** Waits until no registration is in flight and none has started for a few turns of the event loop. */
async function settle(): Promise<void> {
  let stableRounds = 0;
  let lastCount = -1;
  while (stableRounds < 5) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (pending === 0 && records.length === lastCount) {
      stableRounds++;
    } else {
      stableRounds = 0;
      lastCount = records.length;
    }
  }
}
