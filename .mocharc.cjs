/* global module, process */
// Mocha appends a config's spec to the files named on its command line: name the whole suite only when
// no test file is named, so `npx mocha test/foo.test.ts` runs that file alone.
const namedFiles = process.argv.slice(2).filter((arg) => !arg.startsWith("-") && /\.ts$/.test(arg));

module.exports = {
  require: ["ts-node/register/transpile-only", "test/support/envtest/root-hooks.ts"],
  extension: ["ts"],
  spec: namedFiles.length > 0 ? [] : ["test/**/*.test.ts", "policy/test/**/*.test.ts"],
  timeout: 60000,
  recursive: true,
};
