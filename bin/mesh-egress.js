#!/usr/bin/env node
// Runs the TypeScript CLI in place, so `npx mesh-egress` needs no build step.
require("ts-node").register({
  transpileOnly: true,
  project: require("path").join(__dirname, "..", "tsconfig.json"),
});
require("../cli/main.ts");
