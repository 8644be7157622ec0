import { stopSharedApiServer } from "./shared-api-server";

/** Mocha root hooks (registered in .mocharc.json): the run's one API server stops at the end, pass or fail. */
export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(30_000);
    await stopSharedApiServer();
  },
};
