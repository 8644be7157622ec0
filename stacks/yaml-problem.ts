/**
 * A YAML parser's problem as one line for a user: the first line of its message (the rest quotes the
 * input), and nesting that exhausted the parser's stack said as such, not as "Maximum call stack".
 */
export function yamlProblem(problem: unknown): string {
  const message =
    problem instanceof Error || (typeof problem === "object" && problem !== null && "message" in problem)
      ? String((problem as { message: unknown }).message)
      : String(problem);
  if (problem instanceof RangeError || /Maximum call stack/.test(message)) {
    return "nested too deeply to be a manifest or a stack file";
  }
  return message.split("\n")[0].replace(/:$/, "");
}
