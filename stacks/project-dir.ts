import * as path from "path";

/** This module's folder's parent, in the sources (stacks/) or the compiled tree (dist/stacks/). */
const parent = path.resolve(__dirname, "..");

/**
 * The project's root (package.json, Pulumi.<stack>.yaml, policy/config), whether the code runs from
 * the TypeScript sources or from the compiled JavaScript that `npm run build` writes to dist/.
 */
export const PROJECT_DIR: string = path.basename(parent) === "dist" ? path.dirname(parent) : parent;
