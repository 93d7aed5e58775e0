/**
 * Tenant values are data, not markup: names and externalIds holding HTML,
 * mentions, links, terminal escape sequences, line breaks or bidirectional
 * overrides reach `plan --markdown` (a pull-request comment) only inside code
 * spans, and the terminal only as visible escapes. The Markdown is rendered
 * with markdown-it (CommonMark, raw HTML and linkify on, the permissive
 * reading) and checked in the HTML it produces.
 */
import MarkdownIt from "markdown-it";
import { describe, expect, it } from "vitest";
import type { Plan } from "../../core/model/plan";
import { markdownCode, quoted, terminalOutput, terminalSafe } from "../../core/reconcile/escape";
import { renderPlanMarkdown, renderPlanText } from "../../core/reconcile/report";

const HOSTILE = [
  '<img src=x onerror="alert(1)">',
  "@everyone please approve",
  "[click here](https://evil.example/steal)",
  "https://evil.example/autolink",
  "#1 fixes it",
  "\u001b[31mRED\u001b[0m\u001b]0;title\u0007",
  "alice@example.com\n  ERROR   FORGED_FINDING [user] all clear",
  "pipe | in a cell",
  "back`tick``s",
  "\u202eevil.exe\u202c",
  "**bold** _em_ ~~strike~~",
];

function planWith(values: string[]): Plan {
  const empty = {
    link: 0,
    alreadyLinked: 0,
    conflict: 0,
    ambiguous: 0,
    duplicate: 0,
    unmatched: 0,
  };
  return {
    summary: {
      users: { ...empty, link: values.length },
      groups: { ...empty },
      servicePrincipals: { ...empty },
    },
    actions: values.map((v, i) => ({
      kind: "user",
      databricksId: String(1000 + i),
      databricksName: v,
      oktaId: `00u${String(i).padStart(17, "0")}`,
      matchedBy: "login",
      previousExternalId: v,
    })),
    findings: values.map((v) => ({
      code: "EXTERNAL_ID_FOREIGN",
      severity: "warning",
      kind: "user",
      subjects: [v],
      message: `user "${v}" carries externalId "${v}", which is not an Okta id`,
    })),
  };
}

/** The HTML GitHub-like rendering makes, with the content of every <code> element removed. */
function htmlOutsideCode(markdown: string): string {
  const html = new MarkdownIt({ html: true, linkify: true }).render(markdown);
  return html.replace(/<code>[\s\S]*?<\/code>/g, "<code/>");
}

describe("plan --markdown: tenant values never act as markup", () => {
  const md = renderPlanMarkdown(planWith(HOSTILE), { maxActions: 50, maxFindings: 50 });
  const outside = htmlOutsideCode(md);

  it("renders no HTML, link, image or formatting from a tenant value", () => {
    // The same elements, in the same order, as the plan of harmless names: only ours.
    const tags = (html: string) => html.match(/<[a-z][a-z0-9]*/g) ?? [];
    const plain = renderPlanMarkdown(planWith(HOSTILE.map((_, i) => `plain-${i}`)), {
      maxActions: 50,
      maxFindings: 50,
    });
    expect(tags(outside)).toEqual(tags(htmlOutsideCode(plain)));
    expect(outside).not.toMatch(/<img|<a |onerror/);
    expect(outside).not.toContain("evil.example");
  });

  it("keeps mentions, issue references and escape sequences out of the text GitHub scans", () => {
    expect(outside).not.toContain("@everyone");
    expect(outside).not.toContain("#1 fixes");
    expect(md).not.toContain("\u001b");
    expect(md).not.toContain("\u202e");
  });

  it("keeps every value whole and readable, and one table row per action", () => {
    const rows = md.split("\n").filter((l) => l.startsWith("| user |"));
    expect(rows).toHaveLength(HOSTILE.length);
    const cells = new MarkdownIt().render(md);
    expect(cells).toContain("[click here](https://evil.example/steal)");
    expect(cells).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
    expect(cells).toContain("\\u{001b}[31mRED");
    expect(cells).toContain("pipe | in a cell");
  });
});

describe("plan text on a terminal: nothing invisible, no forged line", () => {
  const text = renderPlanText(planWith(HOSTILE), { maxActions: 50, maxFindings: 50 });

  it("escapes control characters, line breaks and bidirectional overrides", () => {
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(text).toContain("\\u{001b}[31mRED");
    expect(text).toContain("\\u{202e}evil.exe");
    // The forged line stays inside its finding's line.
    expect(text.split("\n").filter((l) => l.includes("FORGED_FINDING"))).toHaveLength(
      HOSTILE.length > 0 ? 2 : 0,
    );
    for (const line of text.split("\n").filter((l) => l.includes("FORGED_FINDING")))
      expect(line).toMatch(/^ {2}(WARNING|user)/);
  });
});

describe("escape helpers", () => {
  it("terminalSafe shows every invisible character and nothing else changes", () => {
    expect(terminalSafe("a\u0000b\tc\nd\u009be\u200bf\ufeffg")).toBe(
      "a\\u{0000}b\\u{0009}c\\u{000a}d\\u{009b}e\\u{200b}f\\u{feff}g",
    );
    expect(terminalSafe("Zoë 李 🙂")).toBe("Zoë 李 🙂");
  });

  it("terminalOutput keeps aimctl's own line breaks and tabs, and nothing else invisible", () => {
    expect(terminalOutput("one\n\ttwo\u001b[2J\r")).toBe("one\n\ttwo\\u{001b}[2J\\u{000d}");
  });

  it("quoted is a JSON-style string with the rest escaped too", () => {
    expect(quoted('say "hi"\n\u202e')).toBe('"say \\"hi\\"\\n\\u{202e}"');
  });

  it("markdownCode fences backticks and escapes table pipes", () => {
    expect(markdownCode("a`b")).toBe("``a`b``");
    expect(markdownCode("`x`")).toBe("`` `x` ``");
    expect(markdownCode("a|b", { inTable: true })).toBe("`a\\|b`");
    const html = new MarkdownIt().render(markdownCode("``` <b>x</b>"));
    expect(html).toContain("<code>``` &lt;b&gt;x&lt;/b&gt;</code>");
  });
});
