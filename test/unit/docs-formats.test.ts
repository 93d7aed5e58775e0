/**
 * docs/formats.md shows a tenant fixture, matching rules and the plan of that
 * tenant under those rules; this test holds the page to the code: the fixture
 * loads, the rules are valid, planning gives exactly the plan shown, and the
 * refusal quoted for an unknown plan format is the one apply --plan prints.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { planToJson, readPlanFile } from "../../cli/planFile";
import { TOOL_VERSION } from "../../cli/version";
import { planLinks } from "../../core/reconcile/plan";
import { validateRules } from "../../core/reconcile/rules";
import { parseFixture } from "../../emulators/tenant/fixture";

const PAGE = readFileSync(join(__dirname, "..", "..", "docs", "formats.md"), "utf8");
/** The version the page's example plan names (the page is not rewritten at each release). */
const PAGE_VERSION = "0.1.0";

/** The fenced block that follows `<!-- example: name -->` (and `<!-- prettier-ignore -->`). */
function example(name: string): string {
  const m = new RegExp(
    `<!-- example: ${name} -->\\s*(?:<!-- prettier-ignore -->\\s*)?\`\`\`json\\n([\\s\\S]*?)\\n\`\`\``,
  ).exec(PAGE);
  if (!m) throw new Error(`docs/formats.md has no example "${name}"`);
  return m[1] as string;
}

describe("docs/formats.md", () => {
  it("its fixture loads, its rules are valid, and their plan is the plan shown, byte for byte", () => {
    const fixture = parseFixture(example("tenant-fixture"), "docs/formats.md");
    const { rules, problems } = validateRules(JSON.parse(example("rules")));
    expect(problems).toEqual([]);
    const plan = planToJson(planLinks(fixture.okta, fixture.databricks, rules));
    const shown = `${example("plan")}\n`;
    expect(
      plan.replace(`"toolVersion": "${TOOL_VERSION}"`, `"toolVersion": "${PAGE_VERSION}"`),
    ).toBe(shown);
    // The example is worth showing: every bucket a reader meets first, and both severities.
    const doc = JSON.parse(shown);
    expect(doc.summary.users).toMatchObject({ link: 2, alreadyLinked: 1, ambiguous: 1 });
    expect(doc.summary.groups).toMatchObject({ link: 1, conflict: 1, unmatched: 1 });
    expect(doc.findings.map((f: { severity: string }) => f.severity).sort()).toEqual([
      "error",
      "error",
      "warning",
    ]);
  });

  it("quotes the refusal apply --plan gives for a plan format it does not know", () => {
    const quoted = /^aimctl: --plan plan\.json has formatVersion 2 .*$/m.exec(PAGE)?.[0];
    expect(quoted).toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), "formats-"));
    const file = join(dir, "plan.json");
    writeFileSync(file, JSON.stringify({ formatVersion: 2, toolVersion: "0.3.0" }));
    let message = "";
    try {
      readPlanFile(file);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(
      `aimctl: ${message}`.replaceAll(file, "plan.json").replace(TOOL_VERSION, PAGE_VERSION),
    ).toBe(quoted);
  });
});
