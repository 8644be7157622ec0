import * as fs from "fs";
import * as path from "path";
import { Command } from "commander";
import { createTwoFilesPatch } from "diff";
import { Document, isMap, isSeq, parseDocument } from "yaml";
import { evaluate, Finding } from "../policy/engine/evaluate";
import { ConfigError, formatIssue } from "../stacks/model/config-error";
import {
  CONFIG_NAMESPACE,
  parseEgressConfig,
  PROJECT_DIR,
  selectNamespacedValues,
} from "../stacks/load-config";
import {
  applyPromotion,
  documentText,
  planPromotion,
  PromotionChange,
  PromotionSelection,
  RegistryDocument,
  securePaths,
  sourceEntries,
  listPath,
} from "./promotion";
import { REGISTRY_KEY } from "../stacks/shared-registry";
import type { CliInvocation } from "./cli-io";
import { loadPolicyConfig } from "./lint-command";
import { keepFormatting } from "./keep-formatting";
import { unknownStackProblem } from "./unknown-stack";
import { renderDocuments } from "./render";

export interface PromoteOptions {
  readonly from: string;
  readonly to: readonly string[];
  readonly selection: PromotionSelection;
  readonly dryRun: boolean;
  /** The directory of the `Pulumi.<stack>.yaml` files (the project, unless testing on copies). */
  readonly dir: string;
}

export interface PromoteIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/** Bad input (exit 2): unknown stacks or names, unreadable files, values that cannot be copied. */
export class PromotionInputError extends Error {}

/** One file promotion may edit, with its text as read, parsed once and shared by every stack using it. */
export interface LoadedFile extends RegistryDocument {
  readonly absolute: string;
  readonly original: string;
}

/** A stack's file and, when it references one, its shared registry file. */
export interface LoadedStack {
  readonly name: string;
  readonly stackFile: LoadedFile;
  readonly registryFile?: LoadedFile;
}

/** Stack names a promotion may name: what `Pulumi.<name>.yaml` allows, nothing that walks out of the directory. */
const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * Runs a promotion and returns the exit code: 0 promoted (or nothing to do), 1 the result would
 * violate the target's validation or a mandatory rule at its levels (nothing written), 2 bad input.
 */
export function runPromote(options: PromoteOptions, io: PromoteIo): number {
  try {
    return promote(options, io);
  } catch (err) {
    if (err instanceof PromotionInputError) {
      io.stderr.write(`mesh-egress promote: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

function promote(options: PromoteOptions, io: PromoteIo): number {
  const { from, to, dir } = options;
  if (to.length === 0) throw new PromotionInputError("name the target stack(s): --to NAME...");
  for (const stack of [from, ...to]) {
    if (!STACK_NAME.test(stack)) throw new PromotionInputError(`"${stack}" is not a stack name`);
  }
  if (to.includes(from))
    throw new PromotionInputError(`--from ${from} is also a target: promote to another stack`);

  for (const stack of [from, ...to]) {
    const problem = unknownStackProblem(stack, "Other stack files: --dir PATH", dir);
    if (problem) throw new PromotionInputError(problem);
  }
  const files = new Map<string, LoadedFile>();
  const source = loadStack(from, dir, files);
  const targets = [...new Set(to)].map((name) => loadStack(name, dir, files));

  const sourceDocs = registryDocuments(source);
  const planned = planPromotion(
    sourceEntries(sourceDocs, "services"),
    sourceEntries(sourceDocs, "tenants"),
    options.selection,
    from,
  );
  if ("issues" in planned) throw new PromotionInputError(planned.issues.map(formatIssue).join("\n"));
  const { plan } = planned;

  const secrets = plan.services.flatMap((service) => securePaths(service.json, service.at));
  if (secrets.length > 0) throw new PromotionInputError(secureRefusal(secrets, plan.services, targets));

  const changes = targets.flatMap((target) => applyPromotion(registryDocuments(target), plan));
  // The source is read-only: only the targets' files are written, their untouched lines as they were.
  const readOnly = new Set([source.stackFile, source.registryFile].flatMap((f) => (f ? [f.absolute] : [])));
  const edited = [...files.values()]
    .filter((file) => !readOnly.has(file.absolute))
    .map((file) => ({ file, text: keepFormatting(file.original, documentText(file.document)) }))
    .filter(({ file, text }) => text !== file.original);
  if (edited.length === 0) {
    io.stdout.write(`Nothing to promote: ${to.join(", ")} already match ${from} for this selection.\n`);
    return 0;
  }
  const editedText = new Map(edited.map(({ file, text }) => [file.absolute, text]));

  for (const { file, text } of edited) {
    io.stdout.write(
      createTwoFilesPatch(`a/${file.file}`, `b/${file.file}`, file.original, text, "", "", { context: 3 }),
    );
  }

  const checked = affectedStacks(targets, dir, editedText);
  const refusals: string[] = [];
  const verdicts: string[] = [];
  for (const stack of checked) {
    const result = validateAsTarget(stack, editedText);
    if ("refusals" in result) {
      refusals.push(...result.refusals.map((line) => `${stack.name}: ${line}`));
      continue;
    }
    const mandatory = result.findings.filter((f) => f.enforcement === "mandatory");
    const advisory = result.findings.filter((f) => f.enforcement === "advisory");
    refusals.push(...mandatory.map((f) => `${stack.name}: ${f.rule}: ${f.message}`));
    verdicts.push(
      `  ${stack.name}: valid as ${result.environment}; ${result.objects} objects rendered; ${mandatory.length} mandatory, ${advisory.length} advisory violation(s) at ${result.environment}'s levels`,
    );
    for (const f of advisory) verdicts.push(`    advisory ${f.rule}: ${f.message}`);
  }
  if (refusals.length > 0) {
    io.stderr.write(
      `mesh-egress promote: refused, nothing written. The result would not pass as the target:\n`,
    );
    for (const line of refusals) io.stderr.write(`  ${line}\n`);
    return 1;
  }

  io.stdout.write(`\n${summary(changes, from, to)}`);
  io.stdout.write(`Checked (validate + render + lint):\n${verdicts.join("\n")}\n`);
  const bystanders = checked.filter((s) => !to.includes(s.name)).map((s) => s.name);
  if (bystanders.length > 0) {
    io.stdout.write(`Also affected through a shared registry file: ${bystanders.join(", ")}\n`);
  }
  if (options.dryRun) {
    io.stdout.write("Dry run: nothing written.\n");
    return 0;
  }
  for (const { file, text } of edited) writeAtomically(file.absolute, text);
  io.stdout.write(`Wrote ${edited.map(({ file }) => file.file).join(", ")}.\n`);
  return 0;
}

export function loadStack(name: string, dir: string, files: Map<string, LoadedFile>): LoadedStack {
  const stackFile = loadFile(path.join(dir, `Pulumi.${name}.yaml`), dir, "stack", files);
  const reference = stackFile.document.getIn(["config", `${CONFIG_NAMESPACE}:${REGISTRY_KEY}`]);
  if (reference === undefined) return { name, stackFile };
  if (typeof reference !== "string") {
    throw new PromotionInputError(
      `${stackFile.file}: ${CONFIG_NAMESPACE}:${REGISTRY_KEY} must be a file path`,
    );
  }
  const registryFile = loadFile(
    path.resolve(path.dirname(stackFile.absolute), reference),
    dir,
    "registry",
    files,
  );
  return { name, stackFile, registryFile };
}

function loadFile(
  absolute: string,
  dir: string,
  kind: RegistryDocument["kind"],
  files: Map<string, LoadedFile>,
): LoadedFile {
  const known = files.get(absolute);
  if (known) return known;
  const file = path.relative(dir, absolute);
  let original: string;
  try {
    original = fs.readFileSync(absolute, "utf8");
  } catch (err) {
    throw new PromotionInputError(`cannot read ${file}: ${(err as Error).message}`);
  }
  const document = parseDocument(original);
  if (document.errors.length > 0) {
    throw new PromotionInputError(`${file}: not valid YAML: ${document.errors[0]?.message}`);
  }
  const loaded: LoadedFile = { absolute, original, file, kind, document: document as Document };
  files.set(absolute, loaded);
  return loaded;
}

/** Where a stack's registry lists live, the shared registry first (new entries go there). */
export function registryDocuments(stack: LoadedStack): RegistryDocument[] {
  return stack.registryFile ? [stack.registryFile, stack.stackFile] : [stack.stackFile];
}

/** The targets, and every other stack in the directory whose shared registry file was edited. */
function affectedStacks(targets: readonly LoadedStack[], dir: string, edited: ReadonlyMap<string, string>) {
  const stacks = [...targets];
  const names = new Set(targets.map((t) => t.name));
  const others = fs
    .readdirSync(dir)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((name): name is string => name !== undefined && !names.has(name))
    .sort();
  for (const name of others) {
    let text: string;
    try {
      text = fs.readFileSync(path.join(dir, `Pulumi.${name}.yaml`), "utf8");
    } catch {
      continue;
    }
    const reference = parseDocument(text).getIn(["config", `${CONFIG_NAMESPACE}:${REGISTRY_KEY}`]);
    if (typeof reference === "string" && edited.has(path.resolve(dir, reference))) {
      stacks.push(loadStack(name, dir, new Map()));
    }
  }
  return stacks;
}

/** The promoted stack validated as itself, rendered, and linted at its own environment's levels. */
function validateAsTarget(
  stack: LoadedStack,
  edited: ReadonlyMap<string, string>,
): { refusals: string[] } | { environment: string; objects: number; findings: Finding[] } {
  const stackText = edited.get(stack.stackFile.absolute) ?? stack.stackFile.original;
  const config =
    (parseDocument(stackText).toJS() as { config?: Record<string, unknown> } | null)?.config ?? {};
  const read = (file: string) => edited.get(file) ?? fs.readFileSync(file, "utf8");
  try {
    const egress = parseEgressConfig(
      selectNamespacedValues(config, stack.stackFile.file),
      stack.stackFile.file,
      path.dirname(stack.stackFile.absolute),
      read,
    );
    const objects = renderDocuments(egress);
    const { findings } = evaluate(objects, loadPolicyConfig(egress.environment));
    return { environment: egress.environment, objects: objects.length, findings };
  } catch (err) {
    if (err instanceof ConfigError) return { refusals: err.issues.map(formatIssue) };
    throw err;
  }
}

function secureRefusal(
  secrets: readonly string[],
  services: readonly { json: Record<string, unknown>; at: string }[],
  targets: readonly LoadedStack[],
): string {
  const lines = [
    "refused, nothing written: these values are Pulumi secrets, encrypted for the source stack's secrets provider, and cannot be copied:",
    ...secrets.map((at) => `  ${at}`),
    "Promote without them and set each on every target instead:",
  ];
  for (const at of secrets) {
    const service = services.find((s) => at.startsWith(s.at));
    if (!service) continue;
    const leaf = at.slice(service.at.length);
    for (const target of targets) {
      // The index the service has, or will have once appended, in the target's own services list.
      const own = target.stackFile.document.getIn(listPath("stack", "services"), true);
      const items = isSeq(own) ? own.items : [];
      const index = items.findIndex((item) => isMap(item) && item.get("name") === service.json.name);
      const position = index >= 0 ? index : items.length;
      lines.push(
        `  pulumi config set --secret --path '${CONFIG_NAMESPACE}:services[${position}]${leaf}' <value> --stack ${target.name}` +
          (target.registryFile
            ? `   (${target.registryFile.file} is a plain file and cannot hold secrets: declare the service in Pulumi.${target.name}.yaml)`
            : ""),
      );
    }
  }
  return lines.join("\n");
}

/** What changed, for the promotion's review and the report. */
function summary(changes: readonly PromotionChange[], from: string, to: readonly string[]): string {
  const seen = new Set<string>();
  const unique = changes.filter((c) => {
    const key = JSON.stringify(c);
    return seen.has(key) ? false : (seen.add(key), true);
  });
  const lines = [`Promotion ${from} → ${to.join(", ")}:`];
  const section = (title: string, items: string[]) => {
    if (items.length > 0) lines.push(`  ${title}:`, ...items.map((i) => `    ${i}`));
  };
  const of = <K extends PromotionChange["kind"]>(kind: K) =>
    unique.filter((c): c is Extract<PromotionChange, { kind: K }> => c.kind === kind);
  section(
    "new destinations",
    of("new-destination").map((c) => `${c.service}: ${c.detail} (${c.file})`),
  );
  section(
    "changed destinations",
    of("changed-destination").map((c) => `${c.service}: ${c.fields.join(", ")} (${c.file})`),
  );
  section(
    "new tenants",
    of("new-tenant").map((c) => `${c.tenant} (${c.file})`),
  );
  section(
    "new grants",
    of("new-grant").map((c) => `${c.tenant} → ${c.service} (${c.file})`),
  );
  return `${lines.join("\n")}\n`;
}

/** Writes through a temporary file and a rename, so a reader never sees half a stack file. */
function writeAtomically(file: string, text: string): void {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(temporary, text);
  fs.renameSync(temporary, file);
}

export function registerPromoteCommand(program: Command, invocation: CliInvocation): void {
  program
    .command("promote")
    .description(
      "Copy services (and tenants' grants to them) from one stack's registry into others', keeping the " +
        "targets' comments and tier settings; validate, render and lint the result as each target first. " +
        "Exit 1 when a target would refuse it (nothing written), 2 on bad input.",
    )
    .requiredOption("--from <stack>", "the source stack (Pulumi.<stack>.yaml)")
    .requiredOption("--to <stack...>", "the target stack(s)")
    .option("--service <name...>", "services to promote, with the tenants' grants to them", [])
    .option("--tenant <namespace...>", "tenants whose grants to promote (with the services they need)", [])
    .option("--all", "every service and every grant of the source", false)
    .option("--dry-run", "print the diff and the summary, write nothing", false)
    .option("--dir <path>", "where the stack files are", PROJECT_DIR)
    .action(
      (opts: {
        from: string;
        to: string[];
        service: string[];
        tenant: string[];
        all: boolean;
        dryRun: boolean;
        dir: string;
      }) => {
        invocation.exitCode = runPromote(
          {
            from: opts.from,
            to: opts.to,
            selection: { services: opts.service, tenants: opts.tenant, all: opts.all },
            dryRun: opts.dryRun,
            dir: path.resolve(opts.dir),
          },
          invocation.io,
        );
      },
    );
}
