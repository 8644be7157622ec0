import * as path from "path";
import * as prettier from "prettier";
import { renderCliReference } from "./cli-reference";
import { renderConfigReference } from "./config-reference";
import { renderRuleReference } from "./rule-reference";

export const PROJECT_DIR = path.join(__dirname, "..", "..");

/** Each generated page: its path from the project root, and how to build it from the code. */
export const GENERATED_PAGES: readonly {
  readonly file: string;
  readonly build: () => string | Promise<string>;
}[] = [
  { file: "docs/reference/configuration.md", build: () => renderConfigReference() },
  { file: "docs/reference/rules.md", build: () => renderRuleReference() },
  { file: "docs/reference/cli.md", build: () => renderCliReference() },
];

/** The page as committed: built, then formatted as `prettier --check` expects it. */
export async function buildPage(file: string, build: () => string | Promise<string>): Promise<string> {
  const absolute = path.join(PROJECT_DIR, file);
  const options = (await prettier.resolveConfig(absolute)) ?? {};
  return prettier.format(await build(), { ...options, filepath: absolute });
}
