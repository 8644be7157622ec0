import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { registeredBy, RegisteredResource } from "./pulumi-harness";
import { PROJECT_DIR } from "./stacks";

/** Sets a stack's `mesh-egress:*` config as the engine would: structured values as JSON strings. */
export function useStackConfig(values: Record<string, unknown>, secretKeys: readonly string[] = []): void {
  pulumi.runtime.setAllConfig(
    Object.fromEntries(
      Object.entries(values).map(([key, value]) => [
        // A key with its own namespace (`mesh-egres:tenants`, `kubernetes:context`) is passed as written.
        key.includes(":") ? key : `mesh-egress:${key}`,
        typeof value === "string" ? value : JSON.stringify(value),
      ]),
    ),
    secretKeys.map((key) => `mesh-egress:${key}`),
  );
}

export interface ProgramRun {
  /** What the program threw while loading, if anything. */
  readonly error?: Error;
  readonly registered: RegisteredResource[];
  /** The program's stack outputs (its module exports), when it loaded. */
  readonly outputs: Record<string, pulumi.Output<unknown>>;
}

/** Runs the program (index.ts) from scratch under the mocks with the given stack config. */
export async function runProgram(
  values: Record<string, unknown>,
  secretKeys: readonly string[] = [],
): Promise<ProgramRun> {
  useStackConfig(values, secretKeys);
  const program = path.join(PROJECT_DIR, "index.ts");
  let error: Error | undefined;
  let outputs: Record<string, pulumi.Output<unknown>> = {};
  const registered = await registeredBy(() => {
    delete require.cache[require.resolve(program)];
    try {
      outputs = require(program);
    } catch (err) {
      error = err as Error;
    }
  });
  return { error, registered, outputs };
}
