import { describe, expect, it } from "vitest";
import type { Finding, Plan } from "../../core/model/plan";
import { dg, dsp, du, gid, og, ou, plan, uid } from "./reconcile-builders";

const byCode = (p: Plan, code: string): Finding[] => p.findings.filter((f) => f.code === code);

describe("planLinks: groups", () => {
  it("links a group by exact name, matchedBy name", () => {
    const p = plan({ oktaGroups: [og(gid(1), "Data Eng")], groups: [dg("10", "Data Eng")] });
    expect(p.actions).toEqual([
      {
        kind: "group",
        databricksId: "10",
        databricksName: "Data Eng",
        oktaId: gid(1),
        matchedBy: "name",
        previousExternalId: null,
      },
    ]);
  });

  it("compares names exactly unless caseInsensitiveGroupNames", () => {
    const t = { oktaGroups: [og(gid(1), "Data Eng")], groups: [dg("10", "data eng")] };
    expect(plan(t).summary.groups.unmatched).toBe(1);
    expect(plan(t, { caseInsensitiveGroupNames: true }).actions.map((a) => a.oktaId)).toEqual([
      gid(1),
    ]);
  });

  it("never matches BUILT_IN groups", () => {
    const p = plan({
      oktaGroups: [og(gid(1), "Everyone", "BUILT_IN")],
      groups: [dg("10", "Everyone")],
    });
    expect(p.summary.groups.unmatched).toBe(1);
    expect(p.actions).toEqual([]);
    expect(p.findings).toEqual([]);
  });

  it("reports AMBIGUOUS_MATCH for a name shared by OKTA_GROUP and APP_GROUP", () => {
    const p = plan({
      oktaGroups: [og(gid(1), "Finance"), og(gid(2), "Finance", "APP_GROUP")],
      groups: [dg("10", "Finance")],
    });
    expect(p.summary.groups.ambiguous).toBe(1);
    expect(p.actions).toEqual([]);
    const [f] = byCode(p, "AMBIGUOUS_MATCH");
    expect(f).toMatchObject({ severity: "error", kind: "group", subjects: ["Finance"] });
    expect(f?.message).toContain(`${gid(2)} (APP_GROUP "Finance")`);
  });

  it("reports AMBIGUOUS_MATCH for names that differ only in case under caseInsensitiveGroupNames", () => {
    const p = plan(
      { oktaGroups: [og(gid(1), "Ops"), og(gid(2), "OPS")], groups: [dg("10", "ops")] },
      { caseInsensitiveGroupNames: true },
    );
    expect(p.summary.groups.ambiguous).toBe(1);
  });

  it("applies the externalId rules to groups", () => {
    const p = plan({
      oktaGroups: [og(gid(1), "A"), og(gid(2), "B"), og(gid(3), "C"), og(gid(4), "D")],
      groups: [
        dg("1", "A", gid(1)),
        dg("2", "B", gid(1)),
        dg("3", "C", "aad-group-7"),
        dg("4", "D", ""),
      ],
    });
    expect(p.summary.groups).toEqual({
      link: 1,
      alreadyLinked: 1,
      conflict: 2,
      ambiguous: 0,
      duplicate: 0,
      unmatched: 0,
    });
    expect(p.findings.map((f) => [f.code, f.severity, f.subjects[0]])).toEqual([
      ["EXTERNAL_ID_CONFLICT", "error", "B"],
      ["EXTERNAL_ID_FOREIGN", "warning", "C"],
    ]);
    expect(p.actions.map((a) => a.databricksName)).toEqual(["D"]);
  });

  it("keeps a group renamed in Okta alreadyLinked through its externalId", () => {
    const p = plan({ oktaGroups: [og(gid(1), "New name")], groups: [dg("1", "Old name", gid(1))] });
    expect(p.summary.groups.alreadyLinked).toBe(1);
    expect(p.findings).toEqual([]);
  });

  it("leaves groups alone when matchGroups is false", () => {
    const p = plan(
      { oktaGroups: [og(gid(1), "A")], groups: [dg("1", "A")] },
      { matchGroups: false },
    );
    expect(p.summary.groups.unmatched).toBe(1);
  });
});

describe("planLinks: service principals", () => {
  const okta = { oktaUsers: [ou(uid(1), "svc-etl@x.com")], oktaGroups: [og(gid(1), "Bots")] };

  it("links only through explicit mappings, matchedBy mapping", () => {
    const p = plan(
      {
        ...okta,
        sps: [dsp("7", "app-1", "etl"), dsp("8", "app-2", "reporting"), dsp("9", "app-3", "g")],
      },
      { servicePrincipalMappings: { "app-1": uid(1), "app-3": gid(1) } },
    );
    expect(p.actions.map((a) => [a.kind, a.databricksName, a.oktaId, a.matchedBy])).toEqual([
      ["servicePrincipal", "etl", uid(1), "mapping"],
      ["servicePrincipal", "g", gid(1), "mapping"],
    ]);
    expect(p.summary.servicePrincipals.unmatched).toBe(1);
  });

  it("never matches a service principal by name or externalId", () => {
    const p = plan({ ...okta, sps: [dsp("7", "app-1", "svc-etl@x.com", uid(1))] });
    expect(p.summary.servicePrincipals.unmatched).toBe(1);
    expect(p.findings).toEqual([]);
  });

  it("reports MAPPING_INVALID for an unknown Okta id or applicationId", () => {
    const p = plan(
      { ...okta, sps: [dsp("7", "app-1", "etl")] },
      { servicePrincipalMappings: { "app-1": uid(42), "app-missing": uid(1) } },
    );
    expect(p.actions).toEqual([]);
    expect(p.summary.servicePrincipals.unmatched).toBe(1);
    const fs = byCode(p, "MAPPING_INVALID");
    expect(fs.map((f) => [f.severity, f.subjects])).toEqual([
      ["error", ["app-missing"]],
      ["error", ["etl"]],
    ]);
    expect(fs[0]?.message).toContain("no Databricks service principal has this applicationId");
    expect(fs[1]?.message).toContain(`points at "${uid(42)}"`);
  });

  it("reports MAPPING_INVALID for a DEPROVISIONED user or BUILT_IN group", () => {
    const p = plan(
      {
        oktaUsers: [ou(uid(1), "gone@x.com", "gone@x.com", "DEPROVISIONED")],
        oktaGroups: [og(gid(1), "Everyone", "BUILT_IN")],
        sps: [dsp("7", "a", "one"), dsp("8", "b", "two")],
      },
      { servicePrincipalMappings: { a: uid(1), b: gid(1) } },
    );
    expect(byCode(p, "MAPPING_INVALID")).toHaveLength(2);
  });

  it("applies the externalId rules to mapped service principals", () => {
    const p = plan(
      { ...okta, sps: [dsp("7", "app-1", "etl", "old-sp-guid")] },
      { servicePrincipalMappings: { "app-1": uid(1) } },
    );
    expect(p.summary.servicePrincipals.conflict).toBe(1);
    expect(byCode(p, "EXTERNAL_ID_FOREIGN")[0]?.kind).toBe("servicePrincipal");
  });

  it("reports DUPLICATE_IDENTITY across kinds (a mapped SP and a user on one Okta user)", () => {
    const p = plan(
      { ...okta, users: [du("1", "svc-etl@x.com")], sps: [dsp("7", "app-1", "etl")] },
      { servicePrincipalMappings: { "app-1": uid(1) } },
    );
    expect(p.summary.users.duplicate).toBe(1);
    expect(p.summary.servicePrincipals.duplicate).toBe(1);
    // One finding for the set, filed under its first kind, naming both.
    const fs = byCode(p, "DUPLICATE_IDENTITY");
    expect(fs.map((f) => f.kind)).toEqual(["user"]);
    expect(fs[0]?.subjects).toHaveLength(2);
    expect(fs[0]?.message).toMatch(
      /service principal .*user "svc-etl@x\.com"|user "svc-etl@x\.com".*service principal/,
    );
  });
});

describe("planLinks: overrides", () => {
  it("wins over the rules (an ambiguous user resolved by override)", () => {
    const p = plan(
      {
        oktaUsers: [ou(uid(1), "a@x.com"), ou(uid(2), "a2@x.com", "a@x.com")],
        users: [du("1", "A@x.com")],
      },
      { userOverrides: { "a@x.com": uid(2) } },
    );
    expect(p.actions.map((a) => [a.oktaId, a.matchedBy])).toEqual([[uid(2), "override"]]);
    expect(byCode(p, "AMBIGUOUS_MATCH")).toEqual([]);
  });

  it("links a group by override even when names differ", () => {
    const p = plan(
      { oktaGroups: [og(gid(1), "Engineering")], groups: [dg("1", "eng-all")] },
      { groupOverrides: { "eng-all": gid(1) } },
    );
    expect(p.actions.map((a) => [a.databricksName, a.oktaId, a.matchedBy])).toEqual([
      ["eng-all", gid(1), "override"],
    ]);
  });

  it("reports OVERRIDE_INVALID for a missing Okta id and does not fall back to the rules", () => {
    const p = plan(
      { oktaUsers: [ou(uid(1), "a@x.com")], users: [du("1", "a@x.com")] },
      { userOverrides: { "a@x.com": uid(99) } },
    );
    expect(p.actions).toEqual([]);
    expect(p.summary.users.unmatched).toBe(1);
    const [f] = byCode(p, "OVERRIDE_INVALID");
    expect(f).toMatchObject({ severity: "error", kind: "user", subjects: ["a@x.com"] });
    expect(f?.message).toBe(
      `userOverrides["a@x.com"] points at "${uid(99)}", which is not an Okta user id that exists and is not DEPROVISIONED. ` +
        "Use the Okta id of the user this Databricks user belongs to, or remove the override.",
    );
  });

  it("reports OVERRIDE_INVALID for an override to a group id on a user, or a DEPROVISIONED user", () => {
    const p = plan(
      {
        oktaUsers: [ou(uid(1), "gone@x.com", "gone@x.com", "DEPROVISIONED")],
        oktaGroups: [og(gid(1), "G")],
        users: [du("1", "a@x.com"), du("2", "b@x.com")],
      },
      { userOverrides: { "a@x.com": gid(1), "b@x.com": uid(1) } },
    );
    expect(byCode(p, "OVERRIDE_INVALID").map((f) => f.subjects)).toEqual([
      ["a@x.com"],
      ["b@x.com"],
    ]);
  });

  it("reports OVERRIDE_INVALID for a missing Databricks identity", () => {
    const p = plan(
      { oktaGroups: [og(gid(1), "G")], groups: [] },
      { groupOverrides: { "no-such-group": gid(1) } },
    );
    const [f] = byCode(p, "OVERRIDE_INVALID");
    expect(f).toMatchObject({ kind: "group", subjects: ["no-such-group"] });
    expect(f?.message).toBe(
      'groupOverrides["no-such-group"]: no Databricks group is named "no-such-group". Fix the name or remove the override.',
    );
  });

  it("reports OVERRIDE_INVALID for two keys that normalise to one user with different targets", () => {
    const p = plan(
      { oktaUsers: [ou(uid(1), "x@x.com"), ou(uid(2), "y@x.com")], users: [du("1", "a@x.com")] },
      { userOverrides: { "a@x.com": uid(1), "A@X.COM": uid(2) } },
    );
    const [f] = byCode(p, "OVERRIDE_INVALID");
    expect(f?.subjects).toEqual(["A@X.COM", "a@x.com"]);
    expect(p.actions).toEqual([]);
  });

  it("subjects the override to the externalId rules", () => {
    const p = plan(
      {
        oktaUsers: [ou(uid(1), "x@x.com"), ou(uid(2), "y@x.com")],
        users: [du("1", "a@x.com", uid(2))],
      },
      { userOverrides: { "a@x.com": uid(1) }, onConflict: "overwrite" },
    );
    expect(p.actions.map((a) => [a.oktaId, a.matchedBy, a.previousExternalId])).toEqual([
      [uid(1), "override", uid(2)],
    ]);
  });

  it("reports USERNAME_DRIFT for an override-linked user whose name matches neither login nor email", () => {
    const p = plan(
      { oktaUsers: [ou(uid(1), "x@x.com")], users: [du("1", "svc-a", uid(1))] },
      { userOverrides: { "svc-a": uid(1) } },
    );
    expect(p.summary.users.alreadyLinked).toBe(1);
    expect(byCode(p, "USERNAME_DRIFT")).toHaveLength(1);
  });
});

describe("planLinks: exclusions", () => {
  const t = {
    oktaUsers: [ou(uid(1), "a@x.com"), ou(uid(2), "break-glass-1@x.com"), ou(uid(3), "b@x.com")],
    oktaGroups: [
      og(gid(1), "ops-1"),
      og(gid(2), "ops-12"),
      og(gid(3), "Finance"),
      og(gid(4), "Finance", "APP_GROUP"),
    ],
    users: [du("1", "a@x.com"), du("2", "Break-Glass-1@x.com"), du("3", "b@x.com", "foreign")],
    groups: [dg("1", "ops-1"), dg("2", "ops-12"), dg("3", "Finance")],
    sps: [dsp("7", "app-1", "etl"), dsp("8", "app-2", "ci")],
  };

  it("removes identities from every rule; they count as unmatched", () => {
    const p = plan(t, {
      exclude: {
        users: ["break-glass-*", "B@X.com"],
        groups: ["ops-?", "Finance"],
        servicePrincipals: ["etl", "app-2"],
      },
      servicePrincipalMappings: { "app-1": uid(1), "app-2": uid(3) },
      userOverrides: { "break-glass-1@x.com": uid(1) },
    });
    expect(p.actions.map((a) => a.databricksName)).toEqual(["a@x.com", "ops-12"]);
    expect(p.findings).toEqual([]); // no foreign-externalId, ambiguity, mapping or override finding
    expect(p.summary.users).toMatchObject({ link: 1, unmatched: 2, conflict: 0 });
    expect(p.summary.groups).toMatchObject({ link: 1, unmatched: 2, ambiguous: 0 });
    expect(p.summary.servicePrincipals).toMatchObject({ link: 0, unmatched: 2 });
  });

  it("matches group patterns case-sensitively unless caseInsensitiveGroupNames", () => {
    expect(plan(t, { exclude: { groups: ["OPS-1"] } }).summary.groups.link).toBe(2);
    const p = plan(t, { exclude: { groups: ["OPS-1"] }, caseInsensitiveGroupNames: true });
    expect(p.summary.groups.link).toBe(1);
  });

  it("excluded users do not make tenant-wide findings errors", () => {
    const p = plan(
      {
        oktaUsers: [ou(uid(1), "a@corp.com", "a@x.com"), ou(uid(2), "a2@corp.com", "a@x.com")],
        users: [du("1", "a@x.com")],
      },
      { exclude: { users: ["a@x.com"] } },
    );
    expect(p.findings.map((f) => [f.code, f.severity])).toEqual([
      ["OKTA_EMAIL_NOT_UNIQUE", "warning"],
    ]);
  });
});
