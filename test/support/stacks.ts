import * as path from "path";
import { loadStackFile } from "../../stacks/load-config";
import type { EgressConfig } from "../../stacks/model/egress-config";

export const PROJECT_DIR = path.resolve(__dirname, "..", "..");

/** The validated config of one of the project's stacks. */
export function projectStack(stack: "dev" | "prod"): EgressConfig {
  return loadStackFile(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`));
}

/** A stack file used only by tests: same format, services and tenants the project never ships. */
export const UNSEEN_STACK_FILE = path.join(PROJECT_DIR, "test", "fixtures", "stacks", "Pulumi.unseen.yaml");
