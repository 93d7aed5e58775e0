/**
 * Loads core/ at call time, inside whichever process runs a provider method
 * (the dynamic-provider host, which Pulumi starts in the project directory).
 *
 * Two ways this module runs, told apart when it is loaded:
 *
 * - From the installed package (compiled JavaScript under node_modules): the
 *   provider text Pulumi stores refers to this module by its package name
 *   (the serialiser writes `require("okta-databricks-aim/…")` for code in
 *   node_modules, through package.json "exports"), so this code runs as
 *   installed and loads core from the same package, by name:
 *   `okta-databricks-aim/provider-api`. Nothing is looked up under the
 *   working directory, and a state refreshed on another machine finds the
 *   package wherever that project installed it.
 * - From this repository's TypeScript sources (its own program, run from the
 *   checkout, and the tests): the serialiser copies the provider by value, so
 *   core is found in the project, which is this checkout: the host's working
 *   directory (`OKTA_AIM_PROJECT_ROOT` overrides it), with ts-node registered
 *   on first use. Providers stored that way before the package existed do the
 *   same (test/providers/legacyState.test.ts runs them).
 *
 * Why not capture core by value: Pulumi's closure serialiser rewrites classes
 * into plain functions, and a class that extends Error loses its message and
 * prototype on the way (checked: a ConfigError thrown in the host arrived as
 * "[object Object]"). Why not `await import()`: in the host a relative
 * specifier resolves against the host's working directory, not this file, and
 * under vitest `import()` is rewritten into a call that cannot be serialised.
 *
 * Contract this creates: refresh and destroy run the provider in state, whose
 * calls into core name ONE module, core/providerApi.ts, whose exports never
 * go away; adapters stored before it existed name core modules by path, and
 * those paths stay too.
 */
/** What the providers call in core: core/providerApi.ts, the stable entry point. */
export type CoreApi = typeof import("../core/providerApi");

/** core/providerApi of the installed package (package.json "exports"). */
export const PACKAGE_CORE = "okta-databricks-aim/provider-api";

/**
 * True when this module was loaded from the TypeScript sources, false from
 * the compiled package. A serialised copy carries the boolean, never a path.
 */
const FROM_SOURCE = __filename.endsWith(".ts");

export function loadCore(): CoreApi {
  /* eslint-disable @typescript-eslint/no-require-imports -- run-time loading is the point of this function */
  if (!FROM_SOURCE) return require(PACKAGE_CORE) as CoreApi;
  const path = require("node:path") as typeof import("node:path");
  const fs = require("node:fs") as typeof import("node:fs");
  const root = process.env.OKTA_AIM_PROJECT_ROOT || process.cwd();
  const file = path.join(root, "core/providerApi");
  if (!require.extensions[".ts"] && !fs.existsSync(`${file}.js`)) {
    const tsNode = require("ts-node") as typeof import("ts-node");
    tsNode.register({ transpileOnly: true, project: path.join(root, "tsconfig.json") });
  }
  return require(file) as CoreApi;
  /* eslint-enable @typescript-eslint/no-require-imports */
}
