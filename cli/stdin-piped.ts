import * as fs from "fs";

/** Whether this process's stdin (fd 0) is a pipe or a non-empty file rather than a terminal or /dev/null. */
export function stdinIsPiped(): boolean {
  try {
    const stat = fs.fstatSync(0);
    return stat.isFIFO() || stat.isSocket() || (stat.isFile() && stat.size > 0);
  } catch {
    return false; // no stdin at all (closed fd 0)
  }
}
