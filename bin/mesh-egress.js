#!/usr/bin/env node
// Runs the TypeScript CLI in place, so `npx mesh-egress` needs no build step.
require("ts-node").register({
  transpileOnly: true,
  project: require("path").join(__dirname, "..", "tsconfig.json"),
});
// Checked before the CLI loads the Pulumi SDK, so an old Node gets one message with the fix.
const problem = require("../cli/node-version.ts").nodeVersionProblem(process.versions.node);
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exitCode = 2;
} else {
  const { runCli } = require("../cli/main.ts");
  // exitCode rather than process.exit, so piped stdout is flushed before the process ends.
  runCli(process.argv.slice(2), {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
  }).then((code) => (process.exitCode = code));
}
