// Flat config: typescript-eslint's recommended rules over the program, CLI, policy pack and tests,
// plus the import rules that keep the policy pack a package of its own.
import js from "@eslint/js";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import importX from "eslint-plugin-import-x";
import path from "node:path";
import tseslint from "typescript-eslint";

const PACK_ESCAPE_MESSAGE =
  "policy/ is its own package and never imports the program (components/, stacks/, cli/) or anything else outside policy/; shared vocabulary belongs in policy/contract/.";

// The pack's own code (its tests exercise it through the CLI, so they may reach the program).
const PACK_IGNORES = ["policy/test/**", "policy/node_modules/**"];

/** For pack files `depth` folders below policy/: `../` that many times plus one leaves the pack. */
function packEscapeRule(depth) {
  return {
    files: [`policy/${"*/".repeat(depth)}*.ts`],
    ignores: PACK_IGNORES,
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            // From policy/rules/x.ts: "../../components/…", "../../stacks/…", "../../cli/…", any "../../…".
            { regex: `^(\\.\\./){${depth + 1}}`, message: PACK_ESCAPE_MESSAGE },
          ],
        },
      ],
    },
  };
}

const SDK_FREE_MESSAGE =
  "render, lint, report, audit and promote never load the Pulumi SDK: builders, stacks/, cli/ and the pack's rules import no @pulumi/* package and nothing under components/pulumi/ (ComponentResources that index.ts alone loads).";

// Every import path that leads to the Pulumi SDK; type-only imports are refused too, so the boundary reads plainly.
const SDK_PATTERNS = [
  { group: ["@pulumi/*"], message: SDK_FREE_MESSAGE },
  { regex: "^\\.\\.?/(.*/)?(pulumi(/|$)|load-pulumi-config$)", message: SDK_FREE_MESSAGE },
  { regex: "^(\\.\\./)+policy(/(index|policies))?$", message: SDK_FREE_MESSAGE },
];

/** The SDK-free layers (what the CLI loads): the same patterns, plus whatever the layer already refuses. */
function sdkFreeRule(files, ignores, extraPatterns = []) {
  return {
    files,
    ignores,
    rules: { "no-restricted-imports": ["error", { patterns: [...extraPatterns, ...SDK_PATTERNS] }] },
  };
}

const STACK_LAYERS_MESSAGE =
  "stacks/ is layered, imports flowing one way: schema (stacks/schema.ts, stacks/schema/) → model → relations → validation → loading (stacks/*.ts); stacks/routing-modes.ts, the mode table, imports nothing. A lower layer never imports a higher one.";

/** One zone per layer of stacks/: it may import only the layers below it (paths relative to stacks/). */
function stackLayerRule() {
  const layers = [
    ["./routing-modes.ts"],
    ["./schema.ts", "./schema"],
    ["./model"],
    ["./relations"],
    ["./validation"],
  ];
  const zones = layers.map((layer, i) => {
    const allowed = layers.slice(0, i + 1).flat();
    return layer.map((target) => ({
      target: `./stacks/${target.slice(2)}${target.endsWith(".ts") ? "" : "/**"}`,
      from: "./stacks",
      except: allowed,
      message: STACK_LAYERS_MESSAGE,
    }));
  });
  return {
    files: ["stacks/**/*.ts"],
    rules: { "import-x/no-restricted-paths": ["error", { zones: zones.flat() }] },
  };
}

export default tseslint.config(
  { ignores: ["node_modules/**", "policy/node_modules/**", "dist/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    plugins: { "import-x": importX },
    settings: {
      // Parse TypeScript sources for their imports (import-x reads only .js by default).
      "import-x/extensions": [".ts", ".js", ".mjs"],
      "import-x/parsers": { "@typescript-eslint/parser": [".ts"] },
      "import-x/external-module-folders": ["node_modules", "node_modules/@types"],
      "import-x/resolver-next": [
        createTypeScriptImportResolver({ project: path.join(import.meta.dirname, "tsconfig.json") }),
      ],
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "no-restricted-properties": [
        "error",
        { object: "it", property: "only", message: "A focused test hides the rest of the suite." },
        { object: "describe", property: "only", message: "A focused test hides the rest of the suite." },
      ],
      // Data flows one way; a value-import circle means two modules that cannot be read apart.
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
    },
  },
  ...[0, 1, 2, 3].map(packEscapeRule),
  stackLayerRule(),
  sdkFreeRule(
    ["cli/**/*.ts", "components/**/*.ts", "stacks/**/*.ts"],
    ["components/pulumi/**", "stacks/load-pulumi-config.ts"],
  ),
  // The rules (run by `lint`) keep the pack's own boundary as well; policy/rules/x.ts is one folder deep.
  sdkFreeRule(
    ["policy/rules/*.ts"],
    PACK_IGNORES,
    packEscapeRule(1).rules["no-restricted-imports"][1].patterns,
  ),
  {
    // The pack installs from policy/package.json alone: it may use only the packages listed there.
    files: ["policy/**/*.ts"],
    ignores: PACK_IGNORES,
    rules: {
      "import-x/no-extraneous-dependencies": [
        "error",
        { packageDir: path.join(import.meta.dirname, "policy"), devDependencies: false },
      ],
    },
  },
  {
    // The contract is the bottom layer both sides import: it imports only its own files.
    files: ["policy/contract/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^(?!\\./)",
              message:
                "policy/contract/ is the vocabulary the program and the pack share: it imports only its own files (no rules, no packages).",
            },
          ],
        },
      ],
    },
  },
  {
    // Tests read untyped manifests and load modules fresh; production code gets no such leeway.
    files: ["test/**/*.ts", "policy/test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-require-imports": "off",
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
  {
    files: ["bin/**/*.js", "bench/**/*.js", ".mocharc.cjs"],
    languageOptions: {
      sourceType: "commonjs",
      globals: {
        require: "readonly",
        process: "readonly",
        module: "writable",
        __dirname: "readonly",
        console: "readonly",
      },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
