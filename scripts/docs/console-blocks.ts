import { spawn } from "child_process";
import * as path from "path";

/**
 * Console blocks: a fenced block with the info string `console` is a claim of real output. Each line starting
 * with `$ ` is a command, run by bash in the project directory (one shell per block, so `echo $?` works);
 * the lines after it, up to the next command, are its stdout and stderr together. Elisions are explicit:
 * a line that is exactly `…` stands for any number of lines, and a line ending in `…` for one line that
 * starts with the text before it. Nothing else is trimmed.
 */
export interface ConsoleBlock {
  /** The file, relative to the project. */
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** Index of the first and one past the last body line in the file's lines. */
  readonly bodyStart: number;
  readonly bodyEnd: number;
  readonly steps: readonly ConsoleStep[];
}

export interface ConsoleStep {
  readonly command: string;
  readonly expected: readonly string[];
}

export const ELISION = "…";
const PROMPT = "$ ";

/** Every ```console block of a markdown text. */
export function consoleBlocks(file: string, text: string): ConsoleBlock[] {
  const lines = text.split("\n");
  const blocks: ConsoleBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i]);
    if (!open) continue;
    const fence = open[2];
    let end = i + 1;
    while (end < lines.length && !lines[end].trimStart().startsWith(fence)) end++;
    if (open[3] === "console") {
      const steps: { command: string; expected: string[] }[] = [];
      for (const body of lines.slice(i + 1, end)) {
        if (body.startsWith(PROMPT)) steps.push({ command: body.slice(PROMPT.length), expected: [] });
        else if (steps.length > 0) steps[steps.length - 1].expected.push(body);
        else throw new Error(`${file}:${i + 2}: a console block starts with a \`$ \` command`);
      }
      blocks.push({ file, line: i + 1, bodyStart: i + 1, bodyEnd: end, steps });
    }
    i = end;
  }
  return blocks;
}

const MARKER = "@@mesh-egress-docs-step@@";

/** Runs a block's commands in one bash, in `cwd`; returns each command's output lines (stdout and stderr). */
export function runBlock(block: ConsoleBlock, cwd: string): Promise<string[][]> {
  const script = [
    "__rc=0",
    ...block.steps.flatMap((step) => [
      `printf '\\n%s\\n' '${MARKER}'`,
      "(exit $__rc)",
      `{ ${step.command}\n} 2>&1`,
      "__rc=$?",
    ]),
  ].join("\n");
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", script], {
      cwd,
      env: {
        ...process.env,
        PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}`,
        NO_COLOR: "1",
        FORCE_COLOR: "0",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", () => {
      const chunks = out.split(`\n${MARKER}\n`).slice(1);
      resolve(
        chunks.map((chunk, i) => {
          // The marker's own leading newline ends every chunk but the last.
          const text = i < chunks.length - 1 ? chunk.replace(/\n$/, "") : chunk;
          const lines = text.split("\n");
          if (lines[lines.length - 1] === "") lines.pop();
          return lines;
        }),
      );
    });
  });
}

const lineMatches = (pattern: string, actual: string) =>
  pattern === actual ||
  (pattern.endsWith(ELISION) && pattern !== ELISION && actual.startsWith(pattern.slice(0, -ELISION.length)));

/** Whether the actual lines match the expected ones, elisions included. */
export function matches(expected: readonly string[], actual: readonly string[]): boolean {
  const memo = new Map<number, boolean>();
  const at = (e: number, a: number): boolean => {
    const key = e * (actual.length + 1) + a;
    const cached = memo.get(key);
    if (cached !== undefined) return cached;
    let result: boolean;
    if (e === expected.length) result = a === actual.length;
    else if (expected[e] === ELISION) result = at(e + 1, a) || (a < actual.length && at(e, a + 1));
    else result = a < actual.length && lineMatches(expected[e], actual[a]) && at(e + 1, a + 1);
    memo.set(key, result);
    return result;
  };
  return at(0, 0);
}

/**
 * The expected lines rewritten for new output, keeping the author's elisions where they still apply: lines
 * that still match stay as written (a trimmed `…` line stays trimmed), new lines inside an elided stretch
 * stay elided, other new lines are written out, and lines no longer printed are dropped.
 */
export function updatedExpectation(expected: readonly string[], actual: readonly string[]): string[] {
  const literal = expected.map((line, index) => ({ line, index })).filter(({ line }) => line !== ELISION);
  // Longest common subsequence of the literal expected lines and the actual ones.
  const n = literal.length;
  const m = actual.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = lineMatches(literal[i].line, actual[j])
        ? lcs[i + 1][j + 1] + 1
        : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const pairs: { expectedIndex: number; actualIndex: number }[] = [];
  for (let i = 0, j = 0; i < n && j < m;) {
    if (lineMatches(literal[i].line, actual[j]) && lcs[i][j] === lcs[i + 1][j + 1] + 1) {
      pairs.push({ expectedIndex: literal[i].index, actualIndex: j });
      i++;
      j++;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) i++;
    else j++;
  }
  const out: string[] = [];
  let previousExpected = -1;
  let previousActual = -1;
  const gap = (expectedEnd: number, actualEnd: number) => {
    const shown = expected.slice(previousExpected + 1, expectedEnd);
    const fresh = actual.slice(previousActual + 1, actualEnd);
    const first = shown.indexOf(ELISION);
    if (first === -1) {
      out.push(...fresh);
      return;
    }
    // A changed line beside an elision is replaced, not swallowed: as many lines as the docs showed before
    // the first `…` and after the last stay written out.
    const head = fresh.slice(0, first);
    const after = shown.length - 1 - shown.lastIndexOf(ELISION);
    const tail = fresh.slice(Math.max(head.length, fresh.length - after));
    out.push(...head, ELISION, ...tail);
  };
  for (const { expectedIndex, actualIndex } of pairs) {
    gap(expectedIndex, actualIndex);
    out.push(expected[expectedIndex]);
    previousExpected = expectedIndex;
    previousActual = actualIndex;
  }
  gap(expected.length, actual.length);
  return out;
}

/** The block's body with each command's expectation replaced. */
export function blockBody(steps: readonly ConsoleStep[]): string[] {
  return steps.flatMap((step) => [`${PROMPT}${step.command}`, ...step.expected]);
}
