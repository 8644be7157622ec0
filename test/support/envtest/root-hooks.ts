import type { stopSharedApiServer } from "./shared-api-server";

/**
 * Mocha root hooks (registered in .mocharc.cjs): the run's one API server stops at the end, pass or fail.
 * The server's module is looked up, not imported, so a run whose suites never needed it loads nothing for it.
 */
export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(30_000);
    const loaded = require.cache[require.resolve("./shared-api-server")];
    if (!loaded) return;
    await (loaded.exports as { stopSharedApiServer: typeof stopSharedApiServer }).stopSharedApiServer();
  },
};
