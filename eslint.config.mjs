// Flat config: typescript-eslint with type information (needed by the Pulumi rules).
import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";

/**
 * The house rules of docs/architecture.md ("Folders"), checked: what each
 * folder may import. `allowTypeImports` where only the code must stay out
 * (types are erased).
 */
const FOLDER_RULE = "@typescript-eslint/no-restricted-imports";
const outside = (group, message, allowTypeImports = false) => ({
  group,
  message,
  allowTypeImports,
});

/** Pulumi-free core: no Pulumi, no CLI, no providers, components or emulators. */
const CORE_IMPORTS = [
  outside(["@pulumi/*"], "core/ knows nothing of Pulumi: translate in dynamic-providers/."),
  outside(
    ["**/cli/*", "**/cli", "**/dynamic-providers/*", "**/components/*", "**/components"],
    "core/ is called by the CLI and the providers, never the other way round.",
  ),
  outside(["**/emulators/*", "**/index"], "core/ does not depend on emulators or the program."),
];

/**
 * Inside core, imports point down (docs/architecture.md): the clients and the
 * keys use no reconcile step or workflow above them; the HTTP layer and the
 * model use no other part of core at all.
 */
const CORE_CLIENT_IMPORTS = [
  ...CORE_IMPORTS,
  {
    regex: "(^|/)(reconcile|workflows)(/|$)|(^|/)providerApi$",
    message:
      "the clients and keys are below reconcile/ and workflows/: move what both need down (core/model, core/keys, core/http).",
  },
];
const CORE_RECONCILE_IMPORTS = [
  ...CORE_IMPORTS,
  {
    regex: "(^|/)workflows(/|$)|(^|/)providerApi$",
    message:
      "reconcile/ holds the steps; the workflows above it compose them, not the other way round.",
  },
];
const CORE_BASE_IMPORTS = [
  ...CORE_IMPORTS,
  {
    regex: "^\\.\\./(okta|databricks|keys|reconcile|workflows|providerApi|http|model)(/|$)",
    message: "core/http and core/model are the bottom of core: they import no other part of it.",
  },
];

/** Components declare resources: no HTTP, no clients, no workflows (the providers run those). */
const COMPONENT_IMPORTS = [
  outside(
    ["node:http", "node:https", "node:net", "undici"],
    "components/ do no I/O of their own: a dynamic provider does it.",
  ),
  {
    // The HTTP layer, both clients (orgUrl.ts, the org URL rule, is pure), reconcile, workflows
    // (runBound.ts, the duration rule of their arguments, is pure).
    regex:
      "/core/(http(/.*)?|okta(/(?!orgUrl$).*)?|databricks(/.*)?|reconcile/.*|workflows(/(?!runBound$).*)?|providerApi)$",
    message:
      "components/ use no HTTP layer, client or workflow: pass inputs to a dynamic provider.",
    allowTypeImports: true,
  },
];

/** Providers are serialised into state: core is loaded at call time through loadCore() only. */
const PROVIDER_IMPORTS = [
  {
    regex: "/core/",
    message: "dynamic-providers/ load core at call time (loadCore()); import its types only.",
    allowTypeImports: true,
  },
  outside(["**/cli/*", "**/components/*", "**/emulators/*"], "providers translate Pulumi ⇄ core."),
];

/** The emulators are the services: they share the model (and its errors) only. */
const EMULATOR_IMPORTS = [
  {
    regex: "/core/(?!model/|http/errors$)",
    message:
      "emulators/ stand for Okta and Databricks: they may use core/model (and its errors), never the clients or the engine they are tested against.",
  },
  outside(
    ["@pulumi/*", "**/cli/*", "**/dynamic-providers/*", "**/components/*"],
    "emulators/ are standalone services.",
  ),
];

/** The program is one consumer of the package: the public API (components/index.ts) and Pulumi only. */
const PROGRAM_IMPORTS = [
  {
    regex: "^\\.\\/(?!components$)",
    message:
      "index.ts uses the package's public API only (components/index.ts, what `okta-databricks-aim` exports): export what it needs from there.",
  },
];

/** Error codes live in one typed list (core/http/errors.ts ERROR_CODES). */
const NO_ERROR_CODE_LITERALS = {
  "no-restricted-syntax": [
    "error",
    {
      selector: "Literal[value=/^ERR_[A-Z0-9_]+$/]",
      message: "Use ERROR_CODES from core/http/errors.ts, not an ERR_* string literal.",
    },
  ],
};

export default tseslint.config(
  {
    // test/package/project is another team's program: type-checked against the installed package by its test.
    ignores: [
      "node_modules/**",
      "dist/**",
      "bin/**",
      "**/*.mjs",
      "**/*.js",
      "test/package/project/**",
    ],
  },
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { "@pulumi": pulumi },
    rules: {
      "@pulumi/no-output-in-template-literal": "error",
      "@pulumi/no-output-instance-in-template-literal": "error",
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "@typescript-eslint/no-floating-promises": "error",
    },
  },
  { files: ["core/**/*.ts"], rules: { [FOLDER_RULE]: ["error", { patterns: CORE_IMPORTS }] } },
  {
    files: ["core/okta/**/*.ts", "core/databricks/**/*.ts", "core/keys/**/*.ts"],
    rules: { [FOLDER_RULE]: ["error", { patterns: CORE_CLIENT_IMPORTS }] },
  },
  {
    files: ["core/reconcile/**/*.ts"],
    rules: { [FOLDER_RULE]: ["error", { patterns: CORE_RECONCILE_IMPORTS }] },
  },
  {
    files: ["core/http/**/*.ts", "core/model/**/*.ts"],
    rules: { [FOLDER_RULE]: ["error", { patterns: CORE_BASE_IMPORTS }] },
  },
  {
    files: ["components/**/*.ts"],
    rules: { [FOLDER_RULE]: ["error", { patterns: COMPONENT_IMPORTS }] },
  },
  {
    files: ["dynamic-providers/**/*.ts"],
    rules: { [FOLDER_RULE]: ["error", { patterns: PROVIDER_IMPORTS }] },
  },
  {
    files: ["emulators/**/*.ts"],
    rules: { [FOLDER_RULE]: ["error", { patterns: EMULATOR_IMPORTS }] },
  },
  { files: ["index.ts"], rules: { [FOLDER_RULE]: ["error", { patterns: PROGRAM_IMPORTS }] } },
  {
    files: [
      "core/**/*.ts",
      "cli/**/*.ts",
      "dynamic-providers/**/*.ts",
      "components/**/*.ts",
      "index.ts",
    ],
    ignores: ["core/http/errors.ts"],
    rules: NO_ERROR_CODE_LITERALS,
  },
);
