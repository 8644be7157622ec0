/**
 * `npm run docs`: regenerates the reference pages from the code (configuration schema, rule catalog, the
 * CLI's help), then re-runs every ```console block of README.md and docs/ and rewrites its output where it
 * changed, keeping explicit `…` elisions. `npm run docs -- --pages-only` skips the console blocks (they run
 * the CLI, which takes a while); `npm run docs -- --console-only FILE...` re-runs only those files' blocks. Review the diff it leaves: a changed output is a changed behaviour.
 */
import * as fs from "fs";
import * as path from "path";
import { blockBody, consoleBlocks, matches, runBlock, updatedExpectation } from "./console-blocks";
import { configKeyRows, staleDescriptionKeys } from "./config-reference";
import { buildPage, GENERATED_PAGES, PROJECT_DIR } from "./generated-pages";
import { documentationFiles } from "./markdown-links";

async function writePages(): Promise<void> {
  for (const page of GENERATED_PAGES) {
    const text = await buildPage(page.file, page.build);
    const absolute = path.join(PROJECT_DIR, page.file);
    fs.mkdirSync(path.dirname(absolute), { recursive: true });
    const before = fs.existsSync(absolute) ? fs.readFileSync(absolute, "utf8") : undefined;
    fs.writeFileSync(absolute, text);
    console.log(`${before === text ? "unchanged" : "wrote    "} ${page.file}`);
  }
  const rows = configKeyRows();
  const undescribed = rows.filter((row) => row.description === "" && !/\[\]$/.test(row.path));
  if (undescribed.length > 0) {
    console.log(
      `note: ${undescribed.length} configuration key(s) have no description (add one in scripts/docs/config-descriptions.ts, or .describe() in the schema):`,
    );
    for (const row of undescribed) console.log(`  ${row.path}`);
  }
  const stale = staleDescriptionKeys(rows);
  if (stale.length > 0) {
    console.log(
      `warning: descriptions for keys the schema no longer has (remove or rename them): ${stale.join(", ")}`,
    );
  }
}

async function updateConsoleBlocks(only: readonly string[]): Promise<void> {
  for (const file of documentationFiles(PROJECT_DIR)) {
    if (only.length > 0 && !only.includes(file)) continue;
    const absolute = path.join(PROJECT_DIR, file);
    const text = fs.readFileSync(absolute, "utf8");
    const blocks = consoleBlocks(file, text);
    if (blocks.length === 0) continue;
    const lines = text.split("\n");
    // From the last block up, so earlier blocks' line numbers stay valid while rewriting.
    for (const block of [...blocks].reverse()) {
      const outputs = await runBlock(block, PROJECT_DIR);
      const steps = block.steps.map((step, i) => {
        const actual = outputs[i] ?? [];
        return matches(step.expected, actual)
          ? step
          : { command: step.command, expected: updatedExpectation(step.expected, actual) };
      });
      const changed = steps.some((step, i) => step !== block.steps[i]);
      console.log(`${changed ? "updated  " : "unchanged"} ${file}:${block.line} (console)`);
      if (changed) lines.splice(block.bodyStart, block.bodyEnd - block.bodyStart, ...blockBody(steps));
    }
    fs.writeFileSync(absolute, lines.join("\n"));
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  // `npm run docs -- --console-only docs/tasks/add-a-destination.md`: re-run only that file's console blocks.
  const consoleOnly = args.includes("--console-only");
  if (!consoleOnly) await writePages();
  if (!args.includes("--pages-only")) await updateConsoleBlocks(args.filter((arg) => !arg.startsWith("--")));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : String(err));
  process.exitCode = 1;
});
