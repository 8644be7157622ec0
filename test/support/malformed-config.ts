import { strict as assert } from "assert";
import { runProgram } from "./run-program";

/** Raw `mesh-egress:*` values, mutable so a case can break one thing. */
export type Stack = Record<string, any>;

/** One way to break a valid stack, and what the refusal must say. */
export interface MalformedCase {
  readonly title: string;
  readonly mutate: (stack: Stack) => void;
  /** The exact path the error must name. */
  readonly path: string;
  /** What the message must say: the problem or the fix. */
  readonly says: RegExp;
}

/**
 * One test per case: the program (index.ts, under the mocks) throws a ConfigError with a line
 * `<path>: <message>` matching the case, and registers nothing.
 */
export function itRefusesEach(cases: readonly MalformedCase[], validStack: () => Stack): void {
  for (const c of cases) {
    it(`rejects ${c.title}, naming ${c.path}`, async () => {
      const stack = validStack();
      c.mutate(stack);
      const { error, registered } = await runProgram(stack);
      assert.ok(error, "the program throws");
      assert.equal(error.name, "ConfigError");
      const line = error.message.split("\n").find((l) => l.startsWith(`${c.path}: `));
      assert.ok(line, `an error line starts with "${c.path}: "\n${error.message}`);
      assert.match(line, c.says);
      assert.equal(registered.length, 0, "nothing is registered");
    });
  }
}
