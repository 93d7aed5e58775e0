/**
 * Imports point one way (docs/architecture.md): no module of the project
 * reaches itself again through the imports that run (type-only imports are
 * erased, so they are not counted). A cycle loads one module half-initialised,
 * which works only until someone reads a value at load time.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = join(__dirname, "..", "..");
const FOLDERS = ["core", "cli", "components", "dynamic-providers", "emulators"];

function tsFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) return tsFiles(path);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [path] : [];
  });
}

/** The module a relative specifier names (file.ts or folder/index.ts), else undefined. */
function resolveRelative(from: string, spec: string): string | undefined {
  if (!spec.startsWith(".")) return undefined;
  const base = resolve(ROOT, dirname(from), spec);
  for (const f of [`${base}.ts`, join(base, "index.ts")])
    if (existsSync(f)) return relative(ROOT, f).split("\\").join("/");
  return undefined;
}

/** The specifiers `file` imports at run time: no `import type`, no all-type named lists. */
function runtimeImports(file: string, text: string): string[] {
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const specs: string[] = [];
  const named = (els: ts.NodeArray<ts.ImportSpecifier | ts.ExportSpecifier>) =>
    els.length === 0 || els.some((e) => !e.isTypeOnly);
  const visit = (n: ts.Node): void => {
    if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier)) {
      const c = n.importClause;
      const runs =
        !c ||
        (!c.isTypeOnly &&
          (c.name !== undefined ||
            !c.namedBindings ||
            ts.isNamespaceImport(c.namedBindings) ||
            named(c.namedBindings.elements)));
      if (runs) specs.push(n.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(n) && n.moduleSpecifier) {
      const c = n.exportClause;
      const runs = !n.isTypeOnly && (!c || ts.isNamespaceExport(c) || named(c.elements));
      if (runs && ts.isStringLiteral(n.moduleSpecifier)) specs.push(n.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(n) &&
      (n.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(n.expression) && n.expression.text === "require")) &&
      n.arguments[0] &&
      ts.isStringLiteral(n.arguments[0])
    ) {
      specs.push(n.arguments[0].text);
    }
    ts.forEachChild(n, visit);
  };
  visit(src);
  return specs;
}

/** Strongly connected groups of more than one module (Tarjan), each sorted. */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(group.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) connect(v);
  return found;
}

function projectGraph(): Map<string, string[]> {
  const files = [...FOLDERS.flatMap((d) => tsFiles(d)), "index.ts"];
  return new Map(
    files.map((f) => {
      const specs = runtimeImports(f, readFileSync(join(ROOT, f), "utf8"));
      return [f, specs.flatMap((s) => resolveRelative(f, s) ?? [])];
    }),
  );
}

describe("imports point one way", () => {
  it("no module of the project imports itself again at run time", () => {
    const graph = projectGraph();
    expect(graph.size).toBeGreaterThan(100);
    expect(cycles(graph)).toEqual([]);
  });

  it("finds a cycle, and ignores imports erased at compile time", () => {
    const a = 'import { b } from "./b"; export const a = 1;';
    const b = 'import { a } from "./a"; import type { C } from "./c"; export const b = a;';
    const c = 'import { type B } from "./b"; export type C = B;';
    const graph = new Map([
      ["a", runtimeImports("a.ts", a).map((s) => s.slice(2))],
      ["b", runtimeImports("b.ts", b).map((s) => s.slice(2))],
      ["c", runtimeImports("c.ts", c).map((s) => s.slice(2))],
    ]);
    expect(graph.get("b")).toEqual(["a"]);
    expect(graph.get("c")).toEqual([]);
    expect(cycles(graph)).toEqual([["a", "b"]]);
  });
});
