/**
 * Loads a module of core/ at call time, inside whichever process runs a
 * provider method: the Pulumi program (ts-node already registered) or the
 * dynamic-provider host (plain Node: ts-node is registered here on first use
 * unless compiled `.js` sits beside the `.ts`).
 *
 * Why not capture core by value: Pulumi's closure serialiser rewrites classes
 * into plain functions, and a class that extends Error loses its message and
 * prototype on the way (checked: a ConfigError thrown in the host arrived as
 * "[object Object]"). Why not `await import()`: in the host a relative
 * specifier resolves against the host's working directory, not this file, and
 * under vitest `import()` is rewritten into a call that cannot be serialised.
 *
 * Contract this creates: state holds only the thin provider adapters, and
 * refresh and destroy run the copy in state, whatever core has become since.
 * So they name ONE module, core/providerApi.ts, whose exports never go away;
 * adapters stored before it existed name core modules by path, and those
 * paths stay too (test/providers/legacyState.test.ts runs them).
 *
 * The project root is the host's working directory, where Pulumi starts it
 * (bare `require("jose")` in any serialised provider resolves from there
 * too); `OKTA_AIM_PROJECT_ROOT` overrides it.
 */
/** What the providers call in core: core/providerApi.ts, the stable entry point. */
export type CoreApi = typeof import("../core/providerApi");

export function loadCore(): CoreApi {
  /* eslint-disable @typescript-eslint/no-require-imports -- run-time loading is the point of this function */
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
