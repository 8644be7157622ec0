#!/usr/bin/env node
// Runs the TypeScript CLI in place, so `npx mesh-egress` needs no build step.
require("ts-node").register({
  transpileOnly: true,
  project: require("path").join(__dirname, "..", "tsconfig.json"),
});
const { runCli } = require("../cli/main.ts");
// exitCode rather than process.exit, so piped stdout is flushed before the process ends.
runCli(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }).then(
  (code) => (process.exitCode = code),
);
