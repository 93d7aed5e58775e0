/**
 * The bench's child processes run compiled JavaScript, as the published
 * package does (`npm run build`: tsc with tsconfig.build.json into dist/).
 * Under ts-node a process starts about 110 MB larger (the compiler and the
 * transpiled modules), which is not the tool's memory. This compiles the
 * children's entry points with the build's compiler options into a
 * directory under the checkout (tmp/, git-ignored, never committed), so
 * that package.json and node_modules resolve as they do from dist/.
 * Type errors are `npm run typecheck`'s business: emitted without checking.
 */
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";

const ROOT = path.resolve(__dirname, "..");
/**
 * Compiles `entries` (paths relative to the checkout) and what they import
 * into a directory of this run's own under tmp/ (git-ignored), so that two
 * runs never share one; returns it. The caller removes it at the end.
 */
export function compileForBench(entries: readonly string[]): string {
  const outDir = path.join(ROOT, "tmp", `bench-compiled-${process.pid}`);
  const configFile = path.join(ROOT, "tsconfig.build.json");
  const read = ts.readConfigFile(configFile, (f) => ts.sys.readFile(f));
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, "\n"));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, ROOT, undefined, configFile);
  const options: ts.CompilerOptions = {
    ...parsed.options,
    outDir,
    rootDir: ROOT,
    declaration: false,
    noCheck: true,
    noEmitOnError: false,
  };
  fs.rmSync(outDir, { recursive: true, force: true });
  const program = ts.createProgram(
    entries.map((e) => path.join(ROOT, e)),
    options,
  );
  const result = program.emit();
  const errors = result.diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0)
    throw new Error(
      `compiling the bench's children failed:\n${ts.formatDiagnostics(errors, {
        getCanonicalFileName: (f) => f,
        getCurrentDirectory: () => ROOT,
        getNewLine: () => "\n",
      })}`,
    );
  return outDir;
}
