/**
 * The documentation stands alone: every relative link in the README and in
 * docs/ names a file of this repository and, with a #fragment, a heading of
 * that file (GitHub's anchors); and nothing points at design notes that live
 * outside the repository.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(__dirname, "..", "..");
const PAGES = ["README.md", ...readdirSync(join(ROOT, "docs")).map((f) => `docs/${f}`)].filter(
  (f) => f.endsWith(".md"),
);

/**
 * The one file that names a folder outside the repository: the fidelity test
 * reads the recorded Okta exchanges from beside the checkout, as data.
 */
const DATA_FROM_OUTSIDE = ["test/emulators/okta-fidelity.test.ts"];

/** Every text file of ours: the docs, the code, the examples, the tests (this file aside). */
function sourceFiles(dir = ""): string[] {
  const skip = new Set(["node_modules", "tools", "dist", ".git"]);
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = dir ? `${dir}/${e.name}` : e.name;
    if (e.isDirectory()) return skip.has(e.name) ? [] : sourceFiles(path);
    const text =
      /\.(ts|js|mjs|md|yml|yaml|json|sh)$/.test(e.name) && e.name !== "package-lock.json";
    return text && path !== "test/unit/docs-links.test.ts" ? [path] : [];
  });
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

function anchorsOf(file: string): Set<string> {
  const text = readFileSync(file, "utf8").replace(/^```[\s\S]*?^```/gm, "");
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of text.matchAll(/^#{1,6} (.+)$/gm)) {
    const base = anchor(m[1] as string);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** [text](target) outside code blocks and code spans. */
function links(file: string): string[] {
  const text = readFileSync(file, "utf8")
    .replace(/^```[\s\S]*?^```/gm, "")
    .replace(/`[^`\n]*`/g, "");
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] as string);
}

describe("documentation", () => {
  it("knows GitHub's anchors", () => {
    expect(anchor("Normalisation (`core/reconcile/normalize.ts`)")).toBe(
      "normalisation-corereconcilenormalizets",
    );
    expect(anchor("`<details>` in `aimctl plan --markdown`")).toBe(
      "details-in-aimctl-plan---markdown",
    );
  });

  it.each(PAGES)("%s: every relative link resolves to a file and heading here", (page) => {
    const broken: string[] = [];
    for (const target of links(join(ROOT, page))) {
      if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
      const [path, fragment] = target.split("#") as [string, string | undefined];
      const file = path === "" ? join(ROOT, page) : resolve(dirname(join(ROOT, page)), path);
      if (!existsSync(file) || relative(ROOT, file).startsWith("..")) {
        broken.push(`${target} (no such file)`);
        continue;
      }
      if (fragment !== undefined && file.endsWith(".md") && !anchorsOf(file).has(fragment))
        broken.push(`${target} (no heading #${fragment})`);
    }
    expect(broken).toEqual([]);
  });

  it("cites no design notes from outside the repository, in the docs or in the code", () => {
    const citing = sourceFiles()
      .filter((f) => !DATA_FROM_OUTSIDE.includes(f))
      .filter((f) =>
        /DESIGN\.md|API-FACTS|\bshared\/reference/.test(readFileSync(join(ROOT, f), "utf8")),
      );
    expect(citing).toEqual([]);
  });
});
