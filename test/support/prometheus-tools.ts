import { spawnSync } from "child_process";

/** Debian's `prometheus` package installs both; `.ci/run` installs it when promtool is missing. */
export const PROMTOOL = "promtool";
export const PROMETHEUS = "prometheus";

/** Whether a Prometheus binary answers `--version` on PATH. */
export function hasTool(tool: string): boolean {
  const result = spawnSync(tool, ["--version"], { encoding: "utf8" });
  return result.status === 0;
}

/**
 * `describe` for suites that need the real Prometheus tools. Without them the suite holds one pending
 * test whose title says why, so a run without them reads as skipped, never passed.
 */
export function describeWithPrometheusTools(title: string, body: () => void): void {
  const missing = [PROMTOOL, PROMETHEUS].filter((tool) => !hasTool(tool));
  describe(title, function () {
    if (missing.length === 0) return body();
    it(`SKIPPED: ${missing.join(" and ")} not on PATH (apt-get install prometheus)`, function () {
      this.skip();
    });
  });
}

export interface ToolResult {
  readonly status: number | null;
  readonly output: string;
}

/** Runs promtool with arguments, returning its exit status and combined output. */
export function runPromtool(args: readonly string[], cwd?: string): ToolResult {
  const result = spawnSync(PROMTOOL, args, { cwd, encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Fails unless the promtool unit tests hold a firing and a quiet case for each named alert. */
export function assertFiringAndQuietCases(unitTests: string, alerts: readonly string[]): void {
  for (const alert of alerts) {
    const cases = unitTests.split(`alertname: ${alert}\n`).slice(1);
    if (!cases.some((c) => /^\s*exp_alerts:\s*\n\s*- exp_labels/.test(c))) {
      throw new Error(`${alert} has no firing case`);
    }
    if (!cases.some((c) => /^\s*exp_alerts: \[\]/.test(c))) {
      throw new Error(`${alert} has no quiet case`);
    }
  }
}
