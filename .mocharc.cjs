// Mocha appends a config's spec to the files named on its command line: name the whole suite only when
// nothing is named, so `npx mocha test/foo.test.ts`, `npx mocha test/builders` or a .js path runs that alone.
// A positional argument names tests when it is a path or a glob (an option's value, like --grep's, is neither).
const fs = require("fs");
const named = process.argv
  .slice(2)
  .filter((arg) => !arg.startsWith("-") && (fs.existsSync(arg) || /[*?{]/.test(arg)));

module.exports = {
  require: ["ts-node/register/transpile-only", "test/support/envtest/root-hooks.ts"],
  extension: ["ts"],
  spec: named.length > 0 ? [] : ["test/**/*.test.ts", "policy/test/**/*.test.ts"],
  timeout: 60000,
  recursive: true,
};
