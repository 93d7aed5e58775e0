/**
 * docs/pulumi.md's configuration reference names exactly the keys that
 * Pulumi.example.yaml lists and that the program and its providers read.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(__dirname, "..", "..");
const read = (f: string) => readFileSync(join(ROOT, f), "utf8");
const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

describe("docs/pulumi.md configuration reference", () => {
  const documented = sorted(
    [...read("docs/pulumi.md").matchAll(/^\| `(oktaAim:\w+)`/gm)].map((m) => m[1] as string),
  );

  it("lists every key of Pulumi.example.yaml, set or commented, and no other", () => {
    const example = sorted(
      [...read("Pulumi.example.yaml").matchAll(/\b(oktaAim:\w+)/g)].map((m) => m[1] as string),
    );
    expect(example.length).toBeGreaterThan(20);
    expect(documented).toEqual(example);
  });

  it("covers every key index.ts and the providers' credentials read", () => {
    const program = [...read("index.ts").matchAll(/config\.\w+(?:<[^>]*>)?\("(\w+)"\)/g)].map(
      (m) => `oktaAim:${m[1]}`,
    );
    const credentials = [
      ...read("dynamic-providers/credentials.ts").matchAll(/"(oktaAim:\w+)"/g),
    ].map((m) => m[1] as string);
    expect(program.length).toBeGreaterThan(15);
    expect(credentials.length).toBeGreaterThan(3);
    for (const key of [...program, ...credentials]) expect(documented).toContain(key);
  });
});
