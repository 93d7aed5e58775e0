/**
 * The version of this tool, read once from the package's own package.json
 * (found upwards from this file, so it holds from the source tree and from
 * compiled output alike). Saved plans carry it, so that a plan can say which
 * aimctl wrote it.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";

const PACKAGE_NAME = "okta-databricks-aim";

function readToolVersion(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === PACKAGE_NAME && typeof pkg.version === "string") return pkg.version;
    } catch {
      // No (readable) package.json here: look one level up.
    }
    if (dirname(dir) === dir)
      throw new Error(`the package.json of ${PACKAGE_NAME} was not found above ${__dirname}`);
  }
}

export const TOOL_VERSION: string = readToolVersion();
