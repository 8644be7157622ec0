import * as path from "node:path";
import { loadPolicyConfig } from "../../cli/lint-command";
import { renderDocuments } from "../../cli/render";
import { loadStackFile } from "../../stacks/load-config";
import { KubernetesObject } from "../contract";
import { evaluate, Finding } from "../engine/evaluate";

/** The shipped stacks the policy tests render: the platform's own output is the compliant baseline. */
const PROJECT_DIR = path.join(__dirname, "..", "..");
export const STACKS = {
  dev: path.join(PROJECT_DIR, "Pulumi.dev.yaml"),
  prod: path.join(PROJECT_DIR, "Pulumi.prod.yaml"),
  unseen: path.join(PROJECT_DIR, "test", "fixtures", "stacks", "Pulumi.unseen.yaml"),
};

/** `mesh-egress render` of a stack file, as plain JSON objects a test may weaken. */
export function render(file: string): { objects: KubernetesObject[]; environment: "dev" | "prod" } {
  const config = loadStackFile(file);
  const objects = JSON.parse(JSON.stringify(renderDocuments(config))) as KubernetesObject[];
  return { objects, environment: config.environment };
}

/** Every finding, with the levels and settings `mesh-egress lint` and CrossGuard apply for the environment. */
export function lint(objects: readonly KubernetesObject[], environment: "dev" | "prod"): Finding[] {
  return evaluate(objects, loadPolicyConfig(environment)).findings;
}

export const describeFindings = (findings: readonly Finding[]): string =>
  findings.map((f) => `  ${f.enforcement} ${f.rule}: ${f.message}`).join("\n");
