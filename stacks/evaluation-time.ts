import { parseRfc3339 } from "../policy/contract";
import { ConfigError } from "./model/config-error";

/** Sets the instant break-glass entries are judged at for the program (`pulumi up`), RFC 3339. */
export const NOW_ENVIRONMENT_VARIABLE = "MESH_EGRESS_NOW";

/** An RFC 3339 instant given on the command line or in the environment; bad input is a ConfigError. */
export function parseNow(value: string, source: string): Date {
  const ms = parseRfc3339(value);
  if (ms === undefined) {
    throw new ConfigError(source, [
      { path: "", message: `"${value}" is not an RFC 3339 time such as 2026-11-30T06:00:00Z` },
    ]);
  }
  return new Date(ms);
}

/**
 * The instant break-glass entries are judged at: MESH_EGRESS_NOW when set, else the clock. The one
 * place the clock is read; builders and rules take the instant as an argument.
 */
export function evaluationTime(env: NodeJS.ProcessEnv = process.env): Date {
  const fixed = env[NOW_ENVIRONMENT_VARIABLE];
  return fixed ? parseNow(fixed, NOW_ENVIRONMENT_VARIABLE) : new Date();
}
