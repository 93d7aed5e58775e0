import { describe, expect, it } from "vitest";
import type { Finding, Plan } from "../../core/model/plan";
import { du, ou, plan, uid } from "./reconcile-builders";

const codes = (p: Plan) => p.findings.map((f) => f.code);
const only = (p: Plan, code: string): Finding => {
  const fs = p.findings.filter((f) => f.code === code);
  expect(fs).toHaveLength(1);
  return fs[0] as Finding;
};

describe("planLinks: users", () => {
  it("links an unlinked user by login", () => {
    const p = plan({ oktaUsers: [ou(uid(1), "ann@x.com")], users: [du("1", "ann@x.com")] });
    expect(p.actions).toEqual([
      {
        kind: "user",
        databricksId: "1",
        databricksName: "ann@x.com",
        oktaId: uid(1),
        matchedBy: "login",
        previousExternalId: null,
      },
    ]);
    expect(p.summary.users).toEqual({
      link: 1,
      alreadyLinked: 0,
      conflict: 0,
      ambiguous: 0,
      duplicate: 0,
      unmatched: 0,
    });
    expect(p.findings).toEqual([]);
  });

  it("links by email when only the email matches, by login when both do", () => {
    const p = plan({
      oktaUsers: [ou(uid(1), "ann@corp.x.com", "ann@x.com"), ou(uid(2), "bob@x.com", "bob@x.com")],
      users: [du("1", "ann@x.com"), du("2", "bob@x.com")],
    });
    expect(p.actions.map((a) => [a.databricksName, a.matchedBy])).toEqual([
      ["ann@x.com", "email"],
      ["bob@x.com", "login"],
    ]);
  });

  it.each([
    ["case", "Ann.Lee@X.com"],
    ["leading/trailing whitespace", "  ann.lee@x.com "],
    ["fullwidth letters", "ａｎｎ.lee@x.com"],
  ])("matches across %s differences", (_what, userName) => {
    const p = plan({ oktaUsers: [ou(uid(1), "ann.lee@x.com")], users: [du("1", userName)] });
    expect(p.actions).toHaveLength(1);
    expect(p.actions[0]?.databricksName).toBe(userName);
    expect(p.actions[0]?.oktaId).toBe(uid(1));
  });

  it("matches composed Okta login with decomposed Databricks userName", () => {
    const p = plan({
      oktaUsers: [ou(uid(1), "ren\u00e9@x.com")],
      users: [du("1", "rene\u0301@x.com")],
    });
    expect(p.actions.map((a) => a.oktaId)).toEqual([uid(1)]);
  });

  it("leaves a user with no candidate unmatched without findings", () => {
    const p = plan({ oktaUsers: [ou(uid(1), "a@x.com")], users: [du("1", "local@x.com")] });
    expect(p.summary.users.unmatched).toBe(1);
    expect(p.actions).toEqual([]);
    expect(p.findings).toEqual([]);
  });

  it("reports alreadyLinked when externalId is the candidate's id", () => {
    const p = plan({ oktaUsers: [ou(uid(1), "a@x.com")], users: [du("1", "a@x.com", uid(1))] });
    expect(p.summary.users.alreadyLinked).toBe(1);
    expect(p.actions).toEqual([]);
    expect(p.findings).toEqual([]);
  });

  it("treats an empty-string externalId as unset", () => {
    const p = plan({ oktaUsers: [ou(uid(1), "a@x.com")], users: [du("1", "a@x.com", "")] });
    expect(p.actions).toHaveLength(1);
    expect(p.actions[0]?.previousExternalId).toBeNull();
    expect(p.findings).toEqual([]);
  });

  it("reports AMBIGUOUS_MATCH when two Okta users match (login of one, email of other)", () => {
    const p = plan({
      oktaUsers: [ou(uid(1), "a@x.com", "a@x.com"), ou(uid(2), "a2@x.com", "A@x.com")],
      users: [du("1", "a@x.com")],
    });
    expect(p.summary.users.ambiguous).toBe(1);
    expect(p.actions).toEqual([]);
    const f = only(p, "AMBIGUOUS_MATCH");
    expect(f.severity).toBe("error");
    expect(f.kind).toBe("user");
    expect(f.subjects).toEqual(["a@x.com"]);
    expect(f.message).toContain(
      `"a2@x.com" (${uid(2)}, by email), "a@x.com" (${uid(1)}, by login).`,
    );
  });

  it("excludes DEPROVISIONED users from candidates (an active one wins)", () => {
    const p = plan({
      oktaUsers: [ou(uid(1), "old@x.com", "a@x.com", "DEPROVISIONED"), ou(uid(2), "a@x.com")],
      users: [du("1", "a@x.com")],
    });
    expect(p.actions.map((a) => a.oktaId)).toEqual([uid(2)]);
    expect(p.findings).toEqual([]);
  });

  it("reports OKTA_USER_DEPROVISIONED (info) for a deprovisioned only candidate, bucket unmatched", () => {
    const p = plan({
      oktaUsers: [ou(uid(1), "gone@x.com", "gone@x.com", "DEPROVISIONED")],
      users: [du("1", "gone@x.com")],
    });
    expect(p.summary.users.unmatched).toBe(1);
    expect(p.actions).toEqual([]);
    const f = only(p, "OKTA_USER_DEPROVISIONED");
    expect(f.severity).toBe("info");
    expect(f.subjects).toEqual(["gone@x.com"]);
    expect(f.message).toBe(
      `Databricks user "gone@x.com" matches only DEPROVISIONED Okta user(s) "gone@x.com" (${uid(1)}); ` +
        "it is left unlinked. Remove or deactivate the Databricks user if the person has left.",
    );
  });

  it("reports EXTERNAL_ID_CONFLICT (error) when externalId is another Okta user's id", () => {
    const p = plan({
      oktaUsers: [ou(uid(1), "a@x.com"), ou(uid(2), "b@x.com")],
      users: [du("1", "a@x.com", uid(2)), du("2", "b@x.com", uid(2))],
    });
    expect(p.summary.users.conflict).toBe(1);
    expect(p.summary.users.alreadyLinked).toBe(1);
    expect(p.actions).toEqual([]);
    const f = only(p, "EXTERNAL_ID_CONFLICT");
    expect(f.severity).toBe("error");
    expect(f.subjects).toEqual(["a@x.com"]);
    expect(f.message).toContain(`is the id of Okta user ${uid(2)} ("b@x.com")`);
    // Truthful: the identity is linked to that user today, and AIM would sign them in as it.
    expect(f.message).toContain(
      `it is already linked to that user, and with AIM on, Okta user ${uid(2)} ("b@x.com") is matched to this identity`,
    );
    // b@x.com is not "a@x.com": a rename or a reused address, so drift too, and the remedy
    // is a username migration, never an overwrite.
    expect(f.message).toMatch(/username migration/);
    expect(f.message).not.toMatch(/overwrite" to replace/);
    expect(codes(p)).toContain("USERNAME_DRIFT");
  });

  it("never overwrites a link to a live Okta user whose login and email differ from the username", () => {
    // Ann (a@x.com) was renamed ann.b@x.com in Okta; a new hire now has a@x.com.
    const t = {
      oktaUsers: [ou(uid(1), "ann.b@x.com"), ou(uid(2), "a@x.com")],
      users: [du("1", "a@x.com", uid(1))],
    };
    for (const onConflict of ["report", "overwrite"] as const) {
      const p = plan(t, { onConflict });
      expect(p.actions).toEqual([]);
      expect(p.summary.users.conflict).toBe(1);
      const f = only(p, "EXTERNAL_ID_CONFLICT");
      expect(f.severity).toBe("error");
      expect(f.message).toMatch(/would hand this identity and its permissions to another person/);
      expect(only(p, "USERNAME_DRIFT").subjects).toEqual(["a@x.com"]);
    }
  });

  it("treats an Okta-shaped id absent from the org as EXTERNAL_ID_CONFLICT", () => {
    const p = plan({ oktaUsers: [ou(uid(1), "a@x.com")], users: [du("1", "a@x.com", uid(99))] });
    const f = only(p, "EXTERNAL_ID_CONFLICT");
    expect(f.severity).toBe("error");
    expect(f.message).toMatch(/looks like an Okta id that is not in this org/);
  });

  it.each([
    ["a GUID", "3f2504e0-4f89-11d3-9a0c-0305e82c3301"],
    ["whitespace", " "],
    ["an employee number", "E12345"],
  ])("reports EXTERNAL_ID_FOREIGN (warning) for %s", (_what, ext) => {
    const p = plan({ oktaUsers: [ou(uid(1), "a@x.com")], users: [du("1", "a@x.com", ext)] });
    expect(p.summary.users.conflict).toBe(1);
    expect(p.actions).toEqual([]);
    const f = only(p, "EXTERNAL_ID_FOREIGN");
    expect(f.severity).toBe("warning");
    expect(f.message).toMatch(/is not an Okta id/);
  });

  it("overwrites only under onConflict overwrite, recording previousExternalId", () => {
    const t = {
      // uid(99): an Okta id of no one here (a deleted user): overwriting hands nothing to anyone.
      oktaUsers: [ou(uid(1), "a@x.com"), ou(uid(3), "c@x.com")],
      users: [du("1", "a@x.com", uid(99)), du("3", "c@x.com", "guid-1")],
    };
    const report = plan(t, { onConflict: "report" });
    expect(report.actions).toEqual([]);
    expect(report.summary.users.conflict).toBe(2);
    const over = plan(t, { onConflict: "overwrite" });
    expect(over.actions.map((a) => [a.databricksName, a.oktaId, a.previousExternalId])).toEqual([
      ["a@x.com", uid(1), uid(99)],
      ["c@x.com", uid(3), "guid-1"],
    ]);
    expect(over.summary.users.link).toBe(2);
    expect(over.summary.users.conflict).toBe(0);
    // Still visible to a reviewer, as warnings that say what happens.
    expect(over.findings.map((f) => [f.code, f.severity])).toEqual([
      ["EXTERNAL_ID_CONFLICT", "warning"],
      ["EXTERNAL_ID_FOREIGN", "warning"],
    ]);
    expect(over.findings[0]?.message).toMatch(/will be replaced/);
  });

  it("reports DUPLICATE_IDENTITY for both Databricks users choosing one Okta user, no action", () => {
    const p = plan({
      oktaUsers: [ou(uid(1), "ann@corp.x.com", "ann@x.com")],
      users: [du("1", "ann@corp.x.com"), du("2", "ann@x.com")],
    });
    expect(p.summary.users.duplicate).toBe(2);
    expect(p.actions).toEqual([]);
    // One finding for the set, naming both (was the same text once per identity).
    const fs = p.findings.filter((f) => f.code === "DUPLICATE_IDENTITY");
    expect(fs.map((f) => f.subjects)).toEqual([["ann@corp.x.com", "ann@x.com"]]);
    expect(fs.every((f) => f.severity === "error")).toBe(true);
    expect(fs[0]?.message).toBe(
      `Okta user ${uid(1)} ("ann@corp.x.com") is chosen by 2 Databricks identities: ` +
        `user "ann@corp.x.com" (1), user "ann@x.com" (2). Only one may carry its id; ` +
        "merge or remove the extra identities, or exclude them.",
    );
  });

  it("counts an already-linked user and a second matching user as duplicates", () => {
    const p = plan({
      oktaUsers: [ou(uid(1), "ann@corp.x.com", "ann@x.com")],
      users: [du("1", "ann@corp.x.com", uid(1)), du("2", "ann@x.com")],
    });
    expect(p.summary.users).toMatchObject({ duplicate: 2, alreadyLinked: 0, link: 0 });
  });

  it("withdraws a link when another identity keeps carrying that Okta id (DUPLICATE_IDENTITY)", () => {
    const p = plan({
      oktaUsers: [ou(uid(1), "a@x.com"), ou(uid(2), "b@x.com")],
      users: [du("1", "a@x.com", uid(2)), du("2", "b@x.com")],
    });
    expect(p.actions).toEqual([]);
    expect(p.summary.users).toMatchObject({ conflict: 1, duplicate: 1, link: 0 });
    const f = only(p, "DUPLICATE_IDENTITY");
    expect(f).toMatchObject({ severity: "error", kind: "user" });
    expect(f).toMatchObject({ subjects: ["a@x.com", "b@x.com"] });
    expect(f.message).toBe(
      `Okta user ${uid(2)} ("b@x.com") matches Databricks user "b@x.com" (2) but is already the externalId of ` +
        'user "a@x.com" (1); linking would give AIM two identities for it. ' +
        "Correct or clear the other externalId, or merge the identities, then plan again.",
    );
    // Under overwrite a carrier linked to a user no one else holds now (a deleted one) is re-pointed.
    const over = plan(
      {
        oktaUsers: [ou(uid(1), "a@x.com"), ou(uid(2), "b@x.com")],
        users: [du("1", "a@x.com", uid(3)), du("2", "b@x.com")],
      },
      { onConflict: "overwrite" },
    );
    expect(over.actions.map((a) => [a.databricksName, a.oktaId])).toEqual([
      ["a@x.com", uid(1)],
      ["b@x.com", uid(2)],
    ]);
  });

  it("reports USERNAME_DRIFT (warning) for a linked user whose Okta login changed; bucket alreadyLinked", () => {
    const p = plan({
      oktaUsers: [ou(uid(1), "ann.new@x.com")],
      users: [du("1", "ann.old@x.com", uid(1))],
    });
    expect(p.summary.users.alreadyLinked).toBe(1);
    expect(p.actions).toEqual([]);
    const f = only(p, "USERNAME_DRIFT");
    expect(f.severity).toBe("warning");
    expect(f.subjects).toEqual(["ann.old@x.com"]);
    expect(f.message).toContain('login is now "ann.new@x.com"');
    expect(f.message).toMatch(/username migration/);
  });

  it("counts a drifted user and the new user of the same Okta user as duplicates", () => {
    const p = plan({
      oktaUsers: [ou(uid(1), "ann.new@x.com")],
      users: [du("1", "ann.old@x.com", uid(1)), du("2", "ann.new@x.com")],
    });
    expect(p.summary.users.duplicate).toBe(2);
    expect(codes(p)).toContain("USERNAME_DRIFT");
  });

  it("does not report drift when userName matches the email only", () => {
    const p = plan({
      oktaUsers: [ou(uid(1), "ann@corp.x.com", "Ann@X.com")],
      users: [du("1", "ann@x.com", uid(1))],
    });
    expect(p.findings).toEqual([]);
    expect(p.summary.users.alreadyLinked).toBe(1);
  });

  it("leaves a user whose externalId names a DEPROVISIONED user and no candidate unmatched", () => {
    const p = plan({
      oktaUsers: [ou(uid(1), "ann.new@x.com", "ann.new@x.com", "DEPROVISIONED")],
      users: [du("1", "ann.old@x.com", uid(1))],
    });
    expect(p.summary.users.unmatched).toBe(1);
    expect(p.findings).toEqual([]);
  });

  it("matches nothing by name when matchUsers is false (overrides still apply)", () => {
    const t = {
      oktaUsers: [ou(uid(1), "a@x.com"), ou(uid(2), "b@x.com")],
      users: [du("1", "a@x.com"), du("2", "svc-b")],
    };
    const p = plan(t, { matchUsers: false, userOverrides: { "svc-b": uid(2) } });
    expect(p.actions.map((a) => [a.databricksName, a.matchedBy])).toEqual([["svc-b", "override"]]);
    expect(p.summary.users.unmatched).toBe(1);
  });
});
