import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../core/http/errors";
import { planLinks } from "../../core/reconcile/plan";
import { FINDING_CODES } from "../../core/reconcile/report";
import { loadFixture, parseFixture } from "../../emulators/tenant/fixture";
import { sampleRules, sampleTenant } from "../../emulators/tenant/sample";
import { DEFAULT_RATES, generateTenant } from "../../emulators/tenant/synthetic";

const OKTA_USER_ID = /^00u[A-Za-z0-9]{17}$/;
const OKTA_GROUP_ID = /^00g[A-Za-z0-9]{17}$/;

describe("generateTenant", () => {
  it("is deterministic by seed and differs across seeds", () => {
    const a = JSON.stringify(generateTenant({ users: 500, seed: 3 }));
    expect(JSON.stringify(generateTenant({ users: 500, seed: 3 }))).toBe(a);
    expect(JSON.stringify(generateTenant({ users: 500, seed: 4 }))).not.toBe(a);
  });

  it("produces realistic ids, one BUILT_IN Everyone group and a valid fixture", () => {
    const t = generateTenant({ users: 300, seed: 1, accountId: "acc-1" });
    expect(t.databricks.accountId).toBe("acc-1");
    expect(t.okta.users.every((u) => OKTA_USER_ID.test(u.id))).toBe(true);
    expect(t.okta.groups.every((g) => OKTA_GROUP_ID.test(g.id))).toBe(true);
    expect(t.databricks.users.every((u) => /^\d{15,16}$/.test(u.id))).toBe(true);
    expect(t.okta.groups.filter((g) => g.type === "BUILT_IN").map((g) => g.profile.name)).toEqual([
      "Everyone",
    ]);
    expect(t.okta.groups.length).toBe(1 + 30 + Math.round(0.02 * 30)); // 10% + duplicates by name
    expect(() => parseFixture(t, "generated")).not.toThrow();
  });

  it("honours rates (all pathologies off gives a clean, fully linkable tenant)", () => {
    const zero = Object.fromEntries(
      [
        "linked", "oktaOnly", "emailOnly", "caseVariant", "whitespaceVariant", "unicodeVariant",
        "sharedEmail", "emailEqualsOtherLogin", "deprovisionedOnly", "usernameDrift",
        "foreignExternalId", "conflictingExternalId", "emptyExternalId", "duplicateIdentity",
        "databricksOnly", "groupLinked", "groupOktaOnly", "groupCaseVariant", "groupDuplicateName",
        "groupForeignExternalId", "groupConflictingExternalId", "groupEmptyExternalId",
        "groupDuplicateIdentity", "groupDatabricksOnly", "servicePrincipalForeignExternalId",
      ].map((k) => [k, 0]),
    ); // prettier-ignore
    const t = generateTenant({ users: 200, groups: 20, seed: 9, rates: zero });
    const p = planLinks(t.okta, t.databricks);
    expect(p.findings).toEqual([]);
    expect(p.summary.users.link).toBe(200);
    expect(p.summary.groups.link).toBe(20);
    const linked = generateTenant({ users: 200, seed: 9, rates: { ...zero, linked: 1 } });
    expect(planLinks(linked.okta, linked.databricks).summary.users.alreadyLinked).toBe(200);
  });

  it("rejects bad options with the field and the fix", () => {
    expect(() => generateTenant({ users: -1 })).toThrow(
      "users must be a non-negative integer, got -1",
    );
    expect(() => generateTenant({ users: 10, rates: { linked: 2 } })).toThrow(
      "rates.linked must be a fraction between 0 and 1, got 2",
    );
    expect(() => generateTenant({ users: 10, rates: { linked: 0.9, oktaOnly: 0.5 } })).toThrow(
      /user pathology rates add up to 1\.\d+: lower some/,
    );
  });

  it("terminates for tiny tenants with conflicts requested (no other identity to borrow an id from)", () => {
    const noPathologies = Object.fromEntries(Object.keys(DEFAULT_RATES).map((k) => [k, 0]));
    for (const users of [1, 3]) {
      for (const groups of [1, 3]) {
        const t = generateTenant({
          users,
          groups,
          seed: 3,
          // Every slot a conflict: nobody else to borrow an id from (this used to loop forever).
          rates: { ...noPathologies, conflictingExternalId: 1, groupConflictingExternalId: 1 },
        });
        const ids = [...t.databricks.users, ...t.databricks.groups]
          .map((x) => x.externalId)
          .filter((x): x is string => typeof x === "string" && x !== "");
        expect(ids.length).toBeGreaterThan(0);
        for (const id of ids) expect(id).toMatch(/^00[ug][A-Za-z0-9]{17}$/);
      }
    }
  });

  it("generates a 100,000-user tenant with unique ids (speed is measured in bench/)", () => {
    const t = generateTenant({ users: 100_000, seed: 5 });
    expect(t.okta.users.length).toBeGreaterThanOrEqual(100_000);
    expect(new Set(t.okta.users.map((u) => u.id)).size).toBe(t.okta.users.length);
    expect(new Set(t.databricks.users.map((u) => u.id)).size).toBe(t.databricks.users.length);
  });
});

describe("sampleTenant", () => {
  const tenant = sampleTenant();
  const plan = planLinks(tenant.okta, tenant.databricks, sampleRules(tenant));

  it("is a few thousand users and a few hundred groups, deterministic", () => {
    expect(tenant.okta.users.length).toBeGreaterThan(2500);
    expect(tenant.databricks.groups.length).toBeGreaterThan(200);
    expect(JSON.stringify(sampleTenant())).toBe(JSON.stringify(tenant));
  });

  it("contains every finding code and every user and group bucket", () => {
    const codes = new Set(plan.findings.map((f) => f.code));
    expect([...codes].sort()).toEqual([...FINDING_CODES].sort());
    for (const kind of ["users", "groups"] as const) {
      for (const [bucket, n] of Object.entries(plan.summary[kind])) {
        expect({ kind, bucket, present: n > 0 }).toEqual({ kind, bucket, present: true });
      }
    }
    expect(plan.summary.servicePrincipals.link).toBe(1);
    expect(plan.summary.servicePrincipals.unmatched).toBeGreaterThan(0);
  });

  it("shows both severities of the tenant-wide findings and every matchedBy", () => {
    const sev = (code: string) =>
      new Set(plan.findings.filter((f) => f.code === code).map((f) => f.severity));
    expect(sev("OKTA_EMAIL_NOT_UNIQUE")).toEqual(new Set(["error", "warning"]));
    expect(sev("OKTA_EMAIL_EQUALS_OTHER_LOGIN")).toEqual(new Set(["error", "warning"]));
    expect(new Set(plan.actions.map((a) => a.matchedBy))).toEqual(
      new Set(["login", "email", "name", "override", "mapping"]),
    );
  });

  it("has case, whitespace and Unicode-form differences that still link", () => {
    const odd = plan.actions.filter(
      (a) =>
        a.kind === "user" &&
        (a.databricksName !== a.databricksName.trim() ||
          a.databricksName !== a.databricksName.toLowerCase() ||
          a.databricksName !== a.databricksName.normalize("NFKC")),
    );
    expect(odd.some((a) => a.databricksName !== a.databricksName.trim())).toBe(true);
    expect(odd.some((a) => /[A-Z]/.test(a.databricksName))).toBe(true);
    expect(odd.some((a) => a.databricksName !== a.databricksName.normalize("NFKC"))).toBe(true);
  });
});

describe("parseFixture / loadFixture", () => {
  const dir = mkdtempSync(join(tmpdir(), "aim-fixture-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const valid = {
    okta: {
      users: [
        {
          id: "00u00000000000000001",
          status: "ACTIVE",
          profile: { login: "a@x.com", email: "a@x.com" },
        },
      ],
      groups: [
        {
          id: "00g00000000000000001",
          type: "OKTA_GROUP",
          profile: { name: "G", description: null },
        },
      ],
      apps: [],
    },
    databricks: {
      accountId: "acc",
      users: [
        {
          id: "1",
          userName: "a@x.com",
          externalId: "",
          emails: [{ value: "a@x.com", primary: true }],
        },
      ],
      groups: [{ id: "2", displayName: "G" }],
      servicePrincipals: [{ id: "3", applicationId: "app", displayName: "sp" }],
    },
  };

  it("loads a valid fixture from a file and returns a copy", () => {
    const path = join(dir, "ok.json");
    writeFileSync(path, JSON.stringify(valid));
    expect(loadFixture(path)).toEqual(valid);
    const copy = parseFixture(valid, "inline");
    copy.okta.users.length = 0;
    expect(valid.okta.users).toHaveLength(1);
  });

  it("defaults a missing okta.apps to []", () => {
    const { apps: _apps, ...okta } = valid.okta;
    expect(parseFixture({ ...valid, okta }, "inline").okta.apps).toEqual([]);
  });

  it("names the JSON path and the fix", () => {
    const bad = structuredClone(valid) as unknown as {
      okta: { users: Array<{ profile: Record<string, unknown> }> };
    };
    for (let i = 0; i < 3; i++) bad.okta.users.push(structuredClone(bad.okta.users[0]!));
    delete bad.okta.users[3]!.profile.login;
    let err: unknown;
    try {
      parseFixture(bad, "t.json");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe("ERR_CONFIG");
    expect((err as ConfigError).message).toContain(
      "okta.users[3].profile.login is missing: every Okta user needs profile.login",
    );
    expect((err as ConfigError).message).toMatch(
      /^t\.json: invalid tenant fixture, \d+ problem\(s\); nothing was loaded/,
    );
  });

  it("reports every problem: wrong types, bad enums, duplicate ids and logins", () => {
    const bad = {
      okta: {
        users: [
          { id: "00u1", status: "GONE", profile: { login: "A@x.com", email: "a@x.com" } },
          { id: "00u1", status: "ACTIVE", profile: { login: "a@x.com", email: 5 } },
        ],
        groups: {},
      },
      databricks: {
        users: [{ id: 1, userName: "" }],
        groups: [],
        servicePrincipals: [{ id: "9" }],
      },
    };
    try {
      parseFixture(bad, "inline");
      expect.unreachable();
    } catch (e) {
      const err = e as ConfigError;
      expect(err.field).toBe("okta.users[0].status");
      for (const line of [
        'okta.users[0].status is "GONE": every Okta user needs a status (one of STAGED, PROVISIONED, ACTIVE,',
        'okta.users[1].id repeats the id "00u1" of okta.users[0].id: Okta user ids are unique',
        'okta.users[1].profile.login repeats the login "a@x.com" of okta.users[0].profile.login',
        "okta.users[1].profile.email must be a string, got number 5: every Okta user needs profile.email",
        "okta.groups must be an array, got an object",
        "databricks.accountId is missing: set the Databricks account id",
        "databricks.users[0].id must be a string, got number 1",
        "databricks.users[0].userName is empty: every Databricks user needs userName",
        "databricks.servicePrincipals[0].applicationId is missing",
      ]) {
        expect(err.message).toContain(line);
      }
    }
  });

  it("reports invalid JSON and unreadable files", () => {
    expect(() => parseFixture("{", "f.json")).toThrow(/^f\.json: not valid JSON \(/);
    try {
      loadFixture(join(dir, "missing.json"));
      expect.unreachable();
    } catch (e) {
      expect((e as ConfigError).code).toBe("ERR_CONFIG");
      expect((e as ConfigError).message).toMatch(
        /cannot read tenant fixture .*missing\.json: ENOENT: check the path/,
      );
    }
  });
});
