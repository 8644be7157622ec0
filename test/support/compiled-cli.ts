import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "./stacks";

/** The folders `npm run build` compiles into dist/ (tsconfig.build.json), the pack's engine, mesh readers and rules reached through cli/. */
const SOURCE_DIRS = [
  "cli",
  "components",
  "stacks",
  "policy/engine",
  "policy/mesh",
  "policy/rules",
  "policy/contract",
];

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * The compiled CLI's entry module, after checking it exists and is no older than the sources, so a test
 * that spawns the real binary never passes or fails on a stale build. `npm test` builds first.
 */
export function compiledCliMain(): string {
  const main = path.join(PROJECT_DIR, "dist", "cli", "main.js");
  const fix = "run `npm run build` (npm test and npm ci do it)";
  if (!fs.existsSync(main)) throw new Error(`the compiled CLI ${main} is missing: ${fix}`);
  // tsc rewrites only the outputs that changed, but its build info on every build that compiled anything.
  const built = fs.statSync(path.join(PROJECT_DIR, "dist", ".tsbuildinfo")).mtimeMs;
  const stale = SOURCE_DIRS.some((dir) => newestSource(path.join(PROJECT_DIR, dir)) > built);
  if (stale) throw new Error(`the compiled CLI in dist/ is older than the sources: ${fix}`);
  return main;
}
