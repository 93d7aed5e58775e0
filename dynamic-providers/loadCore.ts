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
 * Contract this creates: state holds only the thin provider adapters, which
 * name core modules by path and export. Keep those paths and exports stable
 * (or leave a re-export) so that refresh and destroy of old state still work.
 *
 * The project root is the host's working directory, where Pulumi starts it
 * (bare `require("jose")` in any serialised provider resolves from there
 * too); `OKTA_AIM_PROJECT_ROOT` overrides it.
 */
export function loadCore<T>(modulePath: string): T {
  /* eslint-disable @typescript-eslint/no-require-imports -- run-time loading is the point of this function */
  const path = require("node:path") as typeof import("node:path");
  const fs = require("node:fs") as typeof import("node:fs");
  const root = process.env.OKTA_AIM_PROJECT_ROOT || process.cwd();
  const file = path.join(root, modulePath);
  if (!require.extensions[".ts"] && !fs.existsSync(`${file}.js`)) {
    const tsNode = require("ts-node") as typeof import("ts-node");
    tsNode.register({ transpileOnly: true, project: path.join(root, "tsconfig.json") });
  }
  return require(file) as T;
  /* eslint-enable @typescript-eslint/no-require-imports */
}
