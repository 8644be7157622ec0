import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { renderDocuments } from "../../../cli/render";
import type { KubernetesObject } from "../../../components/kubernetes-object";
import { loadStackText } from "../../../stacks/load-config";
import { PROJECT_DIR } from "../stacks";
import { PLATFORM_USER } from "./identities";
import type { KubectlResult } from "./kubectl";

/** The prod stack with the suite's CI service account as platform identity, and extra guardrail settings. */
export function prodRenderForGuardrails(guardrails: Record<string, unknown> = {}): KubernetesObject[] {
  const file = path.join(PROJECT_DIR, "Pulumi.prod.yaml");
  const stack = parse(fs.readFileSync(file, "utf8")) as { config: Record<string, any> };
  stack.config["mesh-egress:guardrails"] = {
    ...(stack.config["mesh-egress:guardrails"] ?? {}),
    platformIdentities: [PLATFORM_USER],
    ...guardrails,
  };
  return renderDocuments(loadStackText(stringify(stack), file, PROJECT_DIR));
}

/** The denial names the guardrail's policy and carries its message with a Fix. */
export function assertDeniedBy(result: KubectlResult, guardrail: string): void {
  assert.notEqual(result.status, 0, `admitted, but ${guardrail} should deny it`);
  assert.match(
    result.stderr,
    new RegExp(`ValidatingAdmissionPolicy 'mesh-egress-${guardrail}'`),
    result.stderr,
  );
  assert.match(result.stderr, new RegExp(`mesh-egress guardrail ${guardrail}: .*Fix: `, "s"), result.stderr);
}

export function assertAdmitted(result: KubectlResult): void {
  assert.equal(result.status, 0, result.stderr);
}
