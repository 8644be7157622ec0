import { locateUpstreamSchemas, SCHEMAS_ENV_VAR, upstreamSchemasSearchPath } from "./upstream-location";

/**
 * `describe` for suites that need the upstream schemas: `body` receives their directory. Without them the
 * suite holds one pending test whose title says why, so a run without schemas reads as skipped, never passed.
 */
export function describeWithUpstreamSchemas(title: string, body: (schemasDir: string) => void): void {
  const schemasDir = locateUpstreamSchemas();
  describe(title, function () {
    if (schemasDir) return body(schemasDir);
    const searched = upstreamSchemasSearchPath();
    it(`SKIPPED: upstream schemas not found at ${searched} (set ${SCHEMAS_ENV_VAR})`, function () {
      this.skip();
    });
  });
}
