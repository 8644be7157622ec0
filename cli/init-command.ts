import { Command, Option } from "commander";
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { ConfigError, formatIssue } from "../stacks/model/config-error";
import { CONFIG_NAMESPACE } from "../stacks/config-keys";
import { isDnsLabel } from "../stacks/schema/values/kubernetes-values";
import { loadStackText } from "../stacks/load-config";
import { PROJECT_DIR } from "../stacks/project-dir";
import { STACK_FILE_SCHEMA_PATH } from "../stacks/stack-file-schema";
import type { CliInvocation, CliIo } from "./cli-io";

/** Said on init's first screen (its output and its help): the shipped stacks are not a starting config. */
export const EXAMPLE_STACKS_NOTICE =
  "The stacks shipped with mesh-egress (Pulumi.dev.yaml, Pulumi.prod.yaml, …) are an example company's registry, not yours: start from the file init writes.";

const DEFAULT_GATEWAY_NAMESPACE = "istio-egress";

/** Pulumi's own rule for stack names (letters, digits, -, _, .), kept to what a file name can hold. */
const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

interface InitOptions {
  readonly stack: string;
  readonly environment: "dev" | "prod";
  readonly tenant: readonly string[];
  readonly gatewayNamespace: string;
  readonly dir: string;
}

/** `mesh-egress init`: a minimal stack file of one's own, which renders and lints clean at its tier. */
export function registerInitCommand(program: Command, invocation: CliInvocation): void {
  program
    .command("init")
    .description(
      `Write a minimal Pulumi.<stack>.yaml of your own (no services yet) that renders and lints clean at its tier. ${EXAMPLE_STACKS_NOTICE}`,
    )
    .requiredOption("--stack <name>", "the new stack's name: writes Pulumi.<name>.yaml")
    .addOption(
      new Option("--environment <environment>", "the tier whose baseline and rules apply")
        .choices(["dev", "prod"])
        .makeOptionMandatory(),
    )
    .option("--tenant <namespace...>", "tenant namespaces, each confined to the services you allow it", [])
    .option("--gateway-namespace <namespace>", "where the egress gateway runs", DEFAULT_GATEWAY_NAMESPACE)
    .option("--dir <path>", "where to write the file", ".")
    .action((options: InitOptions) => {
      invocation.exitCode = runInit(options, invocation.io);
    });
}

/** The stack file's text: the schema line for editors, what the file is, then the config. */
export function initialStackText(options: InitOptions, schemaReference: string): string {
  const config: Record<string, unknown> = {
    [`${CONFIG_NAMESPACE}:environment`]: options.environment,
    [`${CONFIG_NAMESPACE}:gateway`]: { namespace: options.gatewayNamespace },
    [`${CONFIG_NAMESPACE}:services`]: [],
    [`${CONFIG_NAMESPACE}:tenants`]: options.tenant.map((namespace) => ({ namespace, allow: [] })),
  };
  return [
    `# yaml-language-server: $schema=${schemaReference}`,
    `# ${options.stack}: your own mesh-egress stack (${options.environment} tier), written by \`mesh-egress init\`.`,
    "# Declare external services under mesh-egress:services, then list them in a tenant's allow; see",
    "# docs/getting-started.md. Check it with:",
    `#   npx mesh-egress render --stack-file Pulumi.${options.stack}.yaml | npx mesh-egress lint --environment ${options.environment} -`,
    stringify({ config }).trimEnd(),
    "",
  ].join("\n");
}

/** Returns the exit code: 0 written, 2 bad input or an existing file (left as it was). */
export function runInit(options: InitOptions, io: CliIo): number {
  const problems = [
    ...(STACK_NAME.test(options.stack)
      ? []
      : [
          `--stack ${JSON.stringify(options.stack)}: use letters, digits, -, _ and . (it names Pulumi.<stack>.yaml)`,
        ]),
    ...[options.gatewayNamespace, ...options.tenant]
      .filter((namespace) => !isDnsLabel(namespace))
      .map(
        (namespace) =>
          `${options.gatewayNamespace === namespace ? "--gateway-namespace" : "--tenant"} ${JSON.stringify(namespace)}: not a namespace name (lowercase letters, digits and -, at most 63)`,
      ),
  ];
  if (problems.length > 0) {
    for (const problem of problems) io.stderr.write(`init: ${problem}\n`);
    return 2;
  }
  const file = path.join(options.dir, `Pulumi.${options.stack}.yaml`);
  const schema = path.relative(path.resolve(options.dir), path.join(PROJECT_DIR, STACK_FILE_SCHEMA_PATH));
  const text = initialStackText(options, schema.split(path.sep).join("/"));
  try {
    // The same validation render runs: a tenant named like the gateway namespace is refused here, not later.
    loadStackText(text, file, options.dir);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const issue of err.issues) io.stderr.write(`init: ${formatIssue(issue)}\n`);
    return 2;
  }
  try {
    fs.writeFileSync(file, text, { flag: "wx" });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST") {
      io.stderr.write(
        `init: ${file} already exists; init never overwrites a stack: choose another --stack or edit it\n`,
      );
    } else {
      io.stderr.write(`init: cannot write ${file}: ${(err as Error).message} (--dir names the folder)\n`);
    }
    return 2;
  }
  io.stdout.write(
    [
      `Wrote ${file} (${options.environment}): gateway namespace ${options.gatewayNamespace}, ` +
        `tenants ${options.tenant.length > 0 ? options.tenant.join(", ") : "none yet"}, no services yet.`,
      EXAMPLE_STACKS_NOTICE,
      "Next:",
      `  npx mesh-egress render --stack-file ${file} | npx mesh-egress lint --environment ${options.environment} -`,
      "  declare services and allow them per tenant (docs/getting-started.md); onboarding an existing namespace",
      "  restarts its pods so they get a sidecar: read that section before pulumi up.",
      "",
    ].join("\n"),
  );
  return 0;
}
