import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { comparePlans } from "../../core/reconcile/compare";
import {
  actionsDigest,
  canonicalJson,
  COLLAPSE_AFTER,
  FINDING_CODES,
  renderComparisonText,
  renderPlanMarkdown,
  renderPlanText,
  summarizePlan,
} from "../../core/reconcile/report";
import { dg, du, gid, og, ou, plan, uid } from "./reconcile-builders";

const tenant = {
  oktaUsers: [
    ou(uid(1), "a@x.com"),
    ou(uid(2), "b@x.com"),
    ou(uid(3), "c@x.com"),
    ou(uid(4), "d@x.com"),
    ou(uid(5), "e@x.com"),
    ou(uid(6), "f@x.com"),
    ou(uid(7), "g@x.com"),
    ou(uid(8), "dup@corp.com", "dup@x.com"),
    ou(uid(9), "dup2@corp.com", "dup@x.com"),
  ],
  oktaGroups: [og(gid(1), "Ops|Team")],
  users: [
    du("1", "a@x.com"),
    du("2", "b@x.com"),
    du("3", "c@x.com"),
    du("4", "d@x.com"),
    du("5", "e@x.com"),
    du("6", "f@x.com", "legacy-guid"),
    du("7", "g@x.com", uid(7)),
    du("8", "dup@x.com"),
  ],
  groups: [dg("20", "Ops|Team")],
};

describe("summarizePlan", () => {
  it("counts buckets, pending per kind, findings by severity and code; first 5 names", () => {
    const s = summarizePlan(plan(tenant));
    expect(s.buckets.users).toEqual({
      link: 5,
      alreadyLinked: 1,
      conflict: 1,
      ambiguous: 1,
      duplicate: 0,
      unmatched: 0,
    });
    expect(s.pending).toEqual({
      users: { link: 5, overwrite: 0 },
      groups: { link: 1, overwrite: 0 },
      servicePrincipals: { link: 0, overwrite: 0 },
    });
    expect(s.findings.error).toBe(2); // AMBIGUOUS_MATCH + OKTA_EMAIL_NOT_UNIQUE (affected)
    expect(s.findings.warning).toBe(1); // EXTERNAL_ID_FOREIGN
    expect(s.findings.info).toBe(0);
    expect(Object.keys(s.findings.byCode)).toEqual([...FINDING_CODES]);
    expect(s.findings.byCode.AMBIGUOUS_MATCH).toBe(1);
    expect(s.findings.byCode.DUPLICATE_IDENTITY).toBe(0);
    expect(s.firstPending.users).toEqual(["a@x.com", "b@x.com", "c@x.com", "d@x.com", "e@x.com"]);
    expect(s.firstPending.groups).toEqual(["Ops|Team"]);
    expect(s.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it("counts overwrites under onConflict overwrite and changes the digest", () => {
    const report = summarizePlan(plan(tenant));
    const over = summarizePlan(plan(tenant, { onConflict: "overwrite" }));
    expect(over.pending.users).toEqual({ link: 6, overwrite: 1 });
    expect(over.digest).not.toBe(report.digest);
  });

  it("digest = sha256 of the canonical JSON of the actions; stable across input order", () => {
    const p = plan(tenant);
    const expected = createHash("sha256").update(canonicalJson(p.actions)).digest("hex");
    expect(actionsDigest(p.actions)).toBe(expected);
    const reversed = plan({
      ...tenant,
      users: [...tenant.users].reverse(),
      oktaUsers: [...tenant.oktaUsers].reverse(),
    });
    expect(summarizePlan(reversed)).toEqual(summarizePlan(p));
    expect(actionsDigest([])).toBe(createHash("sha256").update("[]").digest("hex"));
  });

  it("canonicalJson sorts keys at every level", () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}',
    );
  });
});

describe("renderPlanText", () => {
  it("prints the headline, the bucket table, findings and the first actions", () => {
    const text = renderPlanText(plan(tenant), { maxActions: 2 });
    expect(text).toContain(
      "Plan: 6 identities to link (users 5, groups 1, service principals 0); 2 errors, 1 warning, 0 info",
    );
    expect(text).toMatch(/users\s+5\s+1\s+1\s+1\s+0\s+0/);
    expect(text).toContain("ERROR   AMBIGUOUS_MATCH [user]");
    expect(text).toContain("Actions (2 of 6):");
    expect(text).toContain(`user "a@x.com" -> ${uid(1)} by login`);
    expect(text).not.toContain('"c@x.com" ->');
    expect(text).toMatch(/Digest: [0-9a-f]{64}\n$/);
  });

  it("cuts long finding lists", () => {
    const text = renderPlanText(plan(tenant), { maxFindings: 1 });
    expect(text).toContain("… and 2 more (see the JSON plan)");
  });
});

describe("renderPlanMarkdown", () => {
  it("renders a PR comment: status, bucket table, findings by code with advice, actions", () => {
    const md = renderPlanMarkdown(plan(tenant, { onConflict: "overwrite" }), { maxActions: 3 });
    expect(md).toContain("### Okta → Databricks AIM reconciliation plan");
    expect(md).toContain("**Blocked:** 2 error findings must be resolved");
    expect(md).toContain(
      "| | link | alreadyLinked | conflict | ambiguous | duplicate | unmatched |",
    );
    expect(md).toContain("| users | 6 | 1 | 0 | 1 | 0 | 0 |");
    expect(md).toContain("**`AMBIGUOUS_MATCH`** — 1 (1 error)");
    expect(md).toContain("Make the Okta login/email (or group name) unique");
    expect(md).toContain("**`EXTERNAL_ID_FOREIGN`** — 1 (1 warning)");
    expect(md).toContain("#### Actions (3 of 7)");
    expect(md).toContain(`| user | \`a@x.com\` | \`${uid(1)}\` | login |  |`);
    expect(md).toMatch(/<sub>digest `[0-9a-f]{64}`<\/sub>\n$/);
  });

  it("escapes table-breaking characters and says Ready when nothing blocks", () => {
    const md = renderPlanMarkdown(
      plan({ oktaGroups: [og(gid(1), "Ops|Team")], groups: [dg("1", "Ops|Team")] }),
    );
    expect(md).toContain("**Ready:**");
    expect(md).toContain("| group | `Ops\\|Team` |");
    expect(md).not.toContain("#### Findings");
  });
});

/** n Databricks users each matching its own Okta user (n links), and `shared` users sharing one email. */
function wideTenant(n: number, shared = 0) {
  const oktaUsers = Array.from({ length: n }, (_, i) => ou(uid(i + 1), `u${i}@x.com`));
  const users = Array.from({ length: n }, (_, i) => du(String(100 + i), `u${i}@x.com`));
  for (let i = 0; i < shared; i++) {
    oktaUsers.push(ou(uid(500 + 2 * i), `a${i}@corp.com`, `s${i}@x.com`));
    oktaUsers.push(ou(uid(501 + 2 * i), `b${i}@corp.com`, `s${i}@x.com`));
    users.push(du(String(900 + i), `s${i}@x.com`));
  }
  return { oktaUsers, users };
}

describe("renderPlanMarkdown: long lists fold into <details>", () => {
  it("keeps short lists open and folds longer ones, with a blank line so GitHub renders the Markdown inside", () => {
    const short = renderPlanMarkdown(plan(wideTenant(COLLAPSE_AFTER, 1)));
    expect(short).not.toContain("<details>");
    expect(short).toContain(`| user | \`u0@x.com\` | \`${uid(1)}\` | login |  |`);

    const long = renderPlanMarkdown(plan(wideTenant(30, COLLAPSE_AFTER + 1)), { maxActions: 20 });
    expect(long).toContain(
      "#### Actions (20 of 30)\n\n<details>\n<summary>30 links to write (the first 20)</summary>\n\n| kind | Databricks identity |",
    );
    expect(long).toContain(
      `**\`AMBIGUOUS_MATCH\`** — ${COLLAPSE_AFTER + 1} (${COLLAPSE_AFTER + 1} error)`,
    );
    expect(long).toMatch(
      new RegExp(`<details>\\n<summary>${COLLAPSE_AFTER + 1} findings</summary>\\n\\n- error: `),
    );
    // Every section that opens also closes, after a blank line.
    expect(long.match(/<details>/g)?.length).toBe(long.match(/\n\n<\/details>/g)?.length);
    expect(long.match(/<details>/g)?.length).toBe(3); // actions, AMBIGUOUS_MATCH, OKTA_EMAIL_NOT_UNIQUE
  });

  it("says Ready, naming the accepted codes, when every error finding is accepted", () => {
    const p = plan(tenant);
    expect(renderPlanMarkdown(p, { acceptedFindings: ["AMBIGUOUS_MATCH"] })).toContain(
      "**Blocked:** 1 error finding must be resolved",
    );
    const md = renderPlanMarkdown(p, {
      acceptedFindings: ["AMBIGUOUS_MATCH", "OKTA_EMAIL_NOT_UNIQUE"],
    });
    expect(md).toContain(
      "**Ready:** no blocking findings (accepted: AMBIGUOUS_MATCH, OKTA_EMAIL_NOT_UNIQUE); AIM can be enabled",
    );
    expect(md).toContain("**`AMBIGUOUS_MATCH`** — 1 (1 error) — accepted");
    expect(md).toContain("**`EXTERNAL_ID_FOREIGN`** — 1 (1 warning)\n");
  });
});

describe("comparing a change's plan with its base's", () => {
  const base = plan(tenant);
  const head = plan(tenant, {
    userOverrides: { "dup@x.com": uid(8) },
    exclude: { users: ["a@x.com"] },
  });

  it("names the links added and no longer planned and the findings new and resolved", () => {
    const c = comparePlans(base, head);
    expect(c.linksAdded.map((a) => [a.databricksName, a.oktaId, a.matchedBy])).toEqual([
      ["dup@x.com", uid(8), "override"],
    ]);
    expect(c.linksRemoved.map((a) => a.databricksName)).toEqual(["a@x.com"]);
    expect(c.findingsResolved.map((f) => f.code)).toEqual(["AMBIGUOUS_MATCH"]);
    expect(c.findingsAdded).toEqual([]);
    expect([c.base.links, c.head.links]).toEqual([6, 6]);
    expect(comparePlans(base, base)).toMatchObject({
      linksAdded: [],
      linksRemoved: [],
      findingsAdded: [],
      findingsResolved: [],
    });
  });

  it("shows both plans' totals side by side and the differences in the comment", () => {
    const md = renderPlanMarkdown(head, { base });
    const section = md.slice(
      md.indexOf("#### Compared with the base branch"),
      md.indexOf("#### Findings"),
    );
    expect(section).toContain("| | base | this change | |");
    expect(section).toContain("| links to write | 6 | 6 |  |");
    expect(section).toContain("| error findings | 2 | 1 | −1 |");
    expect(section).toContain(`| added | user | \`dup@x.com\` | \`${uid(8)}\` | override |  |`);
    expect(section).toContain(
      `| no longer planned | user | \`a@x.com\` | \`${uid(1)}\` | login |  |`,
    );
    expect(section).toMatch(/- resolved error `AMBIGUOUS_MATCH`: `Databricks user "dup@x\.com"/);
    expect(renderPlanMarkdown(base, { base })).toContain(
      "This change leaves the plan as it is: the same links and the same findings",
    );
    expect(renderPlanMarkdown(head)).not.toContain("Compared with the base branch");
    expect(renderComparisonText(base, head)).toBe(
      "Compared with the base rules:\n  links to write  6 -> 6 (1 added, 1 no longer planned)\n  error findings  2 -> 1; findings: 0 new, 1 resolved\n",
    );
  });
});

describe("renderPlanText: findings order", () => {
  it("lists errors, then warnings, then info, each by name", () => {
    const p = plan({
      oktaUsers: [
        ou(uid(1), "z@x.com"),
        ou(uid(2), "m@x.com"),
        ou(uid(3), "b@x.com"),
        ou(uid(4), "a.new@x.com"),
        ou(uid(5), "dup@corp.com", "dup@x.com"),
        ou(uid(6), "dup2@corp.com", "dup@x.com"),
      ],
      users: [
        du("1", "z@x.com", "guid-z"), // EXTERNAL_ID_FOREIGN warning
        du("2", "m@x.com", uid(99)), // EXTERNAL_ID_CONFLICT error
        du("3", "a.old@x.com", uid(4)), // USERNAME_DRIFT warning
        du("4", "dup@x.com"), // AMBIGUOUS_MATCH error
      ],
    });
    const lines = renderPlanText(p)
      .split("\n")
      .filter((l) => /^ {2}(ERROR|WARNING|INFO) /.test(l))
      .map((l) => l.trim().split(/\s+/).slice(0, 2).join(" "));
    // By first subject: "dup2@corp.com" (the clash) sorts before "dup@x.com" (the username).
    expect(lines).toEqual([
      "ERROR OKTA_EMAIL_NOT_UNIQUE",
      "ERROR AMBIGUOUS_MATCH",
      "ERROR EXTERNAL_ID_CONFLICT",
      "WARNING USERNAME_DRIFT",
      "WARNING EXTERNAL_ID_FOREIGN",
    ]);
  });
});
