import { projectStacks } from "../stacks/load-config";
import { PROJECT_DIR } from "../stacks/project-dir";

/**
 * Why `stack` names no `Pulumi.<stack>.yaml` in `dir`, listing the stacks that exist there and ending
 * with `elsewhere` (how to name another file or folder); undefined when the stack exists.
 */
export function unknownStackProblem(
  stack: string,
  elsewhere: string,
  dir: string = PROJECT_DIR,
): string | undefined {
  const stacks = projectStacks(dir);
  if (stacks.includes(stack)) return undefined;
  const known = stacks.length > 0 ? stacks.join(", ") : "none";
  const where = dir === PROJECT_DIR ? "in this project" : `in ${dir}`;
  return `no stack "${stack}" ${where} (no Pulumi.${stack}.yaml); stacks: ${known}. ${elsewhere}`;
}
