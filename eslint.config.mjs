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

const RULE_FILE_MESSAGE =
  "a rule file (policy/rules/<concern>/<rule>.ts) is imported only by its concern's index.ts and by tests, and a concern only by the catalog (policy/engine/catalog.ts): helpers several rules share belong in policy/mesh/, constants the program shares in policy/contract/.";

// Any relative path into policy/rules/ ("../policy/rules/tls/x", "./rules/tls", "../rules").
const INTO_RULES = { regex: "^\\.{1,2}/(.*/)?rules(/|$)", message: RULE_FILE_MESSAGE };
// From the catalog: a file inside a concern folder rather than the concern's index.
const INTO_RULE_FILE = { regex: "^\\.\\./rules/[^/]+/", message: RULE_FILE_MESSAGE };
// From policy/rules/<concern>/: a sibling ("./x") or another concern ("../tls/x"); "../../" leaves policy/rules/.
const FROM_RULE_TO_SIBLING = { regex: "^\\./", message: RULE_FILE_MESSAGE };
const FROM_RULE_TO_CONCERN = { regex: "^\\.\\./(?!\\.\\./)", message: RULE_FILE_MESSAGE };

/**
 * A layer of the pack `depth` folders below policy/: it stays inside the pack, SDK-free unless told
 * otherwise, plus its own patterns (one config per file set, since a later no-restricted-imports replaces an earlier one).
 */
function packLayerRule(files, depth, extraPatterns, { sdkFree = true, ignores = [] } = {}) {
  const escape = packEscapeRule(depth).rules["no-restricted-imports"][1].patterns;
  return {
    files,
    ignores: [...PACK_IGNORES, ...ignores],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [...extraPatterns, ...escape, ...(sdkFree ? SDK_PATTERNS : [])] },
      ],
    },
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
    [INTO_RULES],
  ),
  {
    // What may load the SDK still reaches the rules only through the catalog.
    files: [
      "index.ts",
      "components/pulumi/**/*.ts",
      "stacks/load-pulumi-config.ts",
      "scripts/**/*.ts",
      "bench/**/*.ts",
    ],
    rules: { "no-restricted-imports": ["error", { patterns: [INTO_RULES] }] },
  },
  // The pack's top level (policies.ts, the CrossGuard entry point) reads the rules through the catalog too.
  packLayerRule(["policy/*.ts"], 0, [INTO_RULES], { sdkFree: false }),
  // The engine and the mesh readers (run by `lint`, so SDK-free) are one folder deep; only the catalog
  // names the rules, and then by concern (its index.ts), never a rule file.
  packLayerRule(["policy/engine/*.ts", "policy/mesh/*.ts"], 1, [INTO_RULES], {
    ignores: ["policy/engine/catalog.ts"],
  }),
  packLayerRule(["policy/engine/catalog.ts"], 1, [INTO_RULE_FILE]),
  // A rule file (policy/rules/<concern>/<rule>.ts) imports the engine, the mesh readers and the contract,
  // never another rule; its concern's index.ts imports that concern's rules only.
  packLayerRule(["policy/rules/*/*.ts"], 2, [FROM_RULE_TO_SIBLING, FROM_RULE_TO_CONCERN], {
    ignores: ["policy/rules/*/index.ts"],
  }),
  packLayerRule(["policy/rules/*/index.ts"], 2, [FROM_RULE_TO_CONCERN]),
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
