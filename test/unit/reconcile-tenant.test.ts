import { describe, expect, it } from "vitest";
import { du, ou, plan, uid } from "./reconcile-builders";

describe("planLinks: tenant-wide Okta findings", () => {
  it("OKTA_EMAIL_NOT_UNIQUE is an error when a Databricks username is the shared email", () => {
    const p = plan({
      oktaUsers: [
        ou(uid(1), "ann@corp.com", "Ann@x.com"),
        ou(uid(2), "adm.ann@corp.com", "ann@x.com"),
      ],
      users: [du("1", "ann@x.com")],
    });
    const f = p.findings.find((x) => x.code === "OKTA_EMAIL_NOT_UNIQUE");
    expect(f).toEqual({
      code: "OKTA_EMAIL_NOT_UNIQUE",
      severity: "error",
      kind: "tenant",
      subjects: ["adm.ann@corp.com", "ann@corp.com", "ann@x.com"],
      message:
        '2 Okta users share the email "ann@x.com": "adm.ann@corp.com", "ann@corp.com". ' +
        'Databricks user(s) "ann@x.com" cannot be matched to exactly one Okta user. ' +
        "Give each Okta user its own email.",
    });
    // The affected user is also ambiguous on its own.
    expect(p.summary.users.ambiguous).toBe(1);
  });

  it("OKTA_EMAIL_NOT_UNIQUE is a warning when no Databricks username is affected", () => {
    const p = plan({
      oktaUsers: [
        ou(uid(1), "ann@corp.com", "ann@x.com"),
        ou(uid(2), "adm.ann@corp.com", "ann@x.com"),
      ],
      users: [du("1", "ann@corp.com")],
    });
    expect(p.findings.map((f) => [f.code, f.severity])).toEqual([
      ["OKTA_EMAIL_NOT_UNIQUE", "warning"],
    ]);
    expect(p.actions.map((a) => a.oktaId)).toEqual([uid(1)]);
  });

  it("OKTA_EMAIL_EQUALS_OTHER_LOGIN: one user's email is another's login", () => {
    const oktaUsers = [ou(uid(1), "a@x.com", "b@x.com"), ou(uid(2), "b@x.com", "b@mail.x.com")];
    const affected = plan({ oktaUsers, users: [du("1", "B@x.com")] });
    const f = affected.findings.find((x) => x.code === "OKTA_EMAIL_EQUALS_OTHER_LOGIN");
    expect(f).toMatchObject({
      severity: "error",
      kind: "tenant",
      subjects: ["B@x.com", "a@x.com", "b@x.com"],
    });
    expect(f?.message).toBe(
      '"b@x.com" is the login of Okta user "b@x.com" and the email of "a@x.com". ' +
        'Databricks user(s) "B@x.com" would match both. Change the email of the other user(s) in Okta.',
    );
    expect(affected.summary.users.ambiguous).toBe(1);
    expect(affected.findings.some((x) => x.code === "OKTA_EMAIL_NOT_UNIQUE")).toBe(false);

    const unaffected = plan({ oktaUsers, users: [du("1", "a@x.com")] });
    expect(unaffected.findings.map((x) => [x.code, x.severity])).toEqual([
      ["OKTA_EMAIL_EQUALS_OTHER_LOGIN", "warning"],
    ]);
  });

  it("ignores DEPROVISIONED Okta users in tenant-wide checks", () => {
    const p = plan({
      oktaUsers: [
        ou(uid(1), "ann@corp.com", "ann@x.com"),
        ou(uid(2), "old.ann@corp.com", "ann@x.com", "DEPROVISIONED"),
        ou(uid(3), "b@x.com", "ann@corp.com", "DEPROVISIONED"),
      ],
    });
    expect(p.findings).toEqual([]);
  });

  it("does not flag a user whose email equals its own login", () => {
    const p = plan({ oktaUsers: [ou(uid(1), "a@x.com", "A@x.com")] });
    expect(p.findings).toEqual([]);
  });

  it("normalises emails before comparing (case, whitespace, NFKC)", () => {
    const p = plan({
      oktaUsers: [
        ou(uid(1), "l1@c.com", " René@X.com"),
        ou(uid(2), "l2@c.com", "rene\u0301@x.com"),
      ],
    });
    expect(p.findings.map((f) => [f.code, f.subjects[f.subjects.length - 1]])).toEqual([
      ["OKTA_EMAIL_NOT_UNIQUE", "ren\u00e9@x.com"],
    ]);
  });
});
