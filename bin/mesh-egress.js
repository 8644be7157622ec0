#!/usr/bin/env node
// Runs the compiled CLI (dist/, written by `npm run build`, which `npm ci` runs through `prepare`).
const path = require("path");
const fs = require("fs");
const compiled = path.join(__dirname, "..", "dist", "cli");
if (!fs.existsSync(path.join(compiled, "main.js"))) {
  process.stderr.write(
    `mesh-egress: the compiled CLI is missing (${compiled}); run \`npm run build\` in ${path.dirname(__dirname)} (npm ci runs it).\n`,
  );
  process.exitCode = 2;
} else {
  // Checked before the CLI loads anything else, so an old Node gets one message with the fix.
  const problem = require(path.join(compiled, "node-version.js")).nodeVersionProblem(process.versions.node);
  if (problem) {
    process.stderr.write(`${problem}\n`);
    process.exitCode = 2;
  } else if (process.argv.length === 3 && ["--version", "-V"].includes(process.argv[2])) {
    // The version alone needs none of the commands: answer before loading them (commander prints the same).
    process.stdout.write(`${require(path.join(compiled, "package-version.js")).packageVersion()}\n`);
  } else {
    const { runCli } = require(path.join(compiled, "main.js"));
    // exitCode rather than process.exit, so piped stdout is flushed before the process ends.
    runCli(process.argv.slice(2), {
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
    }).then((code) => (process.exitCode = code));
  }
}
